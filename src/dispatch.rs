//! Picks the role from argv[0] or argv[1] and runs it.
//!
//! `ra -r x` (through a symlink named `ra`) and `argus-tool ra -r x` are the
//! same call: the role sees `["ra", "-r", "x"]`, so its usage and error
//! messages carry its own name. argv[0] is used as given, never resolved
//! through `current_exe()`, which would follow the symlink.

use std::ffi::OsString;
use std::path::Path;

use crate::roles;

/// Every role the binary plays. `argv0-links` lists the same names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Argus,
    Ra,
    Rasort,
    Racount,
    Ramon,
    Raxml,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Argus, Role::Ra, Role::Rasort, Role::Racount, Role::Ramon, Role::Raxml];

    pub fn name(self) -> &'static str {
        match self {
            Role::Argus => "argus",
            Role::Ra => "ra",
            Role::Rasort => "rasort",
            Role::Racount => "racount",
            Role::Ramon => "ramon",
            Role::Raxml => "raxml",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Role::Argus => "build flow records from packets (pcap files or live interfaces)",
            Role::Ra => "read, filter and print argus records",
            Role::Rasort => "sort argus records",
            Role::Racount => "count records, packets and bytes",
            Role::Ramon => "top talkers (TopN) and top pairs (Matrix)",
            Role::Raxml => "print argus records as XML",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    fn run(self, args: Vec<OsString>) -> i32 {
        match self {
            Role::Argus => roles::argus::main(args),
            Role::Ra => roles::ra::main(args),
            Role::Rasort => roles::rasort::main(args),
            Role::Racount => roles::racount::main(args),
            Role::Ramon => roles::ramon::main(args),
            Role::Raxml => roles::raxml::main(args),
        }
    }
}

const MULTICALL: &str = "argus-tool";

fn basename(arg0: &OsString) -> String {
    Path::new(arg0).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn usage() -> String {
    let mut s = format!(
        "{MULTICALL} {}: the Argus flow monitor and its clients in one binary\n\n\
         usage: {MULTICALL} ROLE [options...]   or run it through a symlink named after the role\n\n\
         roles:\n",
        env!("CARGO_PKG_VERSION")
    );
    for r in Role::ALL {
        s.push_str(&format!("  {:<8} {}\n", r.name(), r.summary()));
    }
    s.push_str("\noptions: --help, --version, --list (role names, one per line)\n");
    s
}

/// Runs the program for `argv` and returns its exit status.
pub fn main(argv: Vec<OsString>) -> i32 {
    let Some(arg0) = argv.first() else {
        eprint!("{}", usage());
        return 1;
    };
    if let Some(role) = Role::from_name(&basename(arg0)) {
        return role.run(argv);
    }
    let mut rest = argv.into_iter().skip(1);
    let Some(first) = rest.next() else {
        eprint!("{}", usage());
        return 1;
    };
    match first.to_string_lossy().as_ref() {
        "--help" | "-h" | "help" => {
            print!("{}", usage());
            0
        }
        "--version" | "-V" => {
            println!("{MULTICALL} {}", env!("CARGO_PKG_VERSION"));
            0
        }
        "--list" => {
            for r in Role::ALL {
                println!("{}", r.name());
            }
            0
        }
        name => match Role::from_name(name) {
            Some(role) => role.run(std::iter::once(first).chain(rest).collect()),
            None => {
                eprintln!("{MULTICALL}: unknown role '{name}' (try '{MULTICALL} --help')");
                1
            }
        },
    }
}
