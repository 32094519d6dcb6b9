//! The `argus-tool` executable: hands argv to the dispatcher and exits with
//! the status the role returns.

fn main() {
    let code = argus_tool::dispatch::main(std::env::args_os().collect());
    std::process::exit(code);
}
