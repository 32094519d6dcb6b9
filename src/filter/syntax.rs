//! The pest parser of `grammar.pest`, and the classification of what goes
//! wrong: a token the scanner rejects, or a token the grammar does not
//! accept there. pest types stay inside the filter module.

use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "filter/grammar.pest"]
pub(super) struct FilterParser;

/// Why an expression does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SyntaxFailure {
    /// The scanner rejects a token (the real tools name it).
    Lexical { position: usize, token: String, message: String },
    /// The grammar does not accept the token at `position`.
    Grammar { position: usize, token: String },
}

/// One scanned token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token<'a> {
    pub start: usize,
    pub text: &'a str,
    pub illegal: bool,
    /// A token the real parser reduces without looking at the next token
    /// (a name, string, MAC address or number, or a keyword that always
    /// ends a primitive), so the primitive it ends is compiled even when
    /// the next token is wrong.
    pub value: bool,
}

/// Tokenises `expr` the way the flex scanner does, up to the first
/// character no rule accepts (returned as the second value).
pub(super) fn tokens(expr: &str) -> (Vec<Token<'_>>, Option<usize>) {
    let mut out = Vec::new();
    let mut end = 0;
    if let Ok(pairs) = FilterParser::parse(Rule::token_stream, expr) {
        for stream in pairs {
            for tok in stream.into_inner() {
                let span = tok.as_span();
                let kind = tok.clone().into_inner().next().map(|t| t.as_rule());
                let illegal = kind == Some(Rule::illegal_token);
                let value = match kind {
                    Some(
                        Rule::ident
                        | Rule::quoted
                        | Rule::dotted
                        | Rule::eid
                        | Rule::unum
                        | Rule::snum
                        | Rule::ufloat
                        | Rule::sfloat
                        | Rule::hidv4
                        | Rule::hidv6,
                    ) => true,
                    Some(Rule::keyword) => ends_primitive(span.as_str()),
                    _ => false,
                };
                out.push(Token { start: span.start(), text: span.as_str(), illegal, value });
                end = span.end();
            }
        }
    }
    let rest = expr.get(end..).unwrap_or("");
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\n']).len();
    let stop = end + skipped;
    (out, (stop < expr.len()).then_some(stop))
}

/// Keywords that end a primitive whatever follows them.
fn ends_primitive(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "start",
        "init",
        "stop",
        "status",
        "shut",
        "error",
        "man",
        "mar",
        "far",
        "event",
        "index",
        "svc",
        "normal",
        "wait",
        "synack",
        "finack",
        "est",
        "con",
        "avail",
        "cor",
        "corolated",
        "timeout",
        "icmpmap",
        "echo",
        "unreach",
        "redirect",
        "timexed",
        "rtr",
        "mbr",
        "lvg",
        "cocode",
        "outoforder",
        "ooo",
        "retrans",
        "drop",
        "winshut",
        "syn",
        "fin",
        "rst",
        "reset",
        "ack",
        "push",
        "urg",
        "cwr",
        "ece",
        "frag",
        "fragonly",
        "ecn",
        "multipath",
        "mpath",
        "hello",
        "lsp",
        "csnp",
        "psnp",
        "dup",
        "tcpopt",
        "mss",
        "wscale",
        "selackok",
        "selack",
        "tcpecho",
        "tcpechoreply",
        "tcptimestamp",
        "tcpcc",
        "tcpccnew",
        "tcpccecho",
        "secn",
        "decn",
        "broadcast",
        "multicast",
        "inbound",
        "outbound",
    ];
    WORDS.contains(&word)
}

/// The first lexical error: an illegal token, or an illegal character.
fn lexical_error(expr: &str) -> Option<(usize, String, String)> {
    let (toks, stop) = tokens(expr);
    if let Some(t) = toks.iter().find(|t| t.illegal) {
        return Some((t.start, t.text.to_owned(), format!("illegal token: {}", t.text)));
    }
    let pos = stop?;
    let c = expr.get(pos..)?.chars().next()?;
    Some((pos, c.to_string(), format!("illegal char '{c}'")))
}

/// The text of the token that starts at or covers `position`.
pub(super) fn token_at(expr: &str, position: usize) -> String {
    let (toks, _) = tokens(expr);
    toks.iter()
        .find(|t| t.start <= position && position < t.start + t.text.len().max(1))
        .map(|t| t.text.to_owned())
        .unwrap_or_else(|| {
            expr.get(position..).and_then(|r| r.split_whitespace().next()).unwrap_or("").to_owned()
        })
}

/// Parses `expr` as a whole filter.
pub(super) fn parse(expr: &str) -> Result<pest::iterators::Pair<'_, Rule>, SyntaxFailure> {
    match FilterParser::parse(Rule::filter, expr) {
        Ok(mut pairs) => {
            pairs.next().ok_or(SyntaxFailure::Grammar { position: 0, token: String::new() })
        }
        Err(e) => {
            let position = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            // The scanner reports a bad token when the parser reaches it; a
            // grammar error before it hides it.
            if let Some((pos, token, message)) = lexical_error(expr) {
                if pos <= position {
                    return Err(SyntaxFailure::Lexical { position: pos, token, message });
                }
            }
            Err(SyntaxFailure::Grammar { position, token: token_at(expr, position) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(expr: &str) -> Vec<String> {
        let pairs = FilterParser::parse(Rule::token_stream, expr).unwrap();
        pairs
            .flat_map(|s| s.into_inner())
            .map(|t| {
                let inner = t.clone().into_inner().next().unwrap();
                format!("{:?}:{}", inner.as_rule(), t.as_str())
            })
            .collect()
    }

    #[test]
    fn scanner_prefers_the_longest_token() {
        assert_eq!(kinds("53-215"), ["ident:53-215"]);
        assert_eq!(kinds("tcpx tcp"), ["ident:tcpx", "keyword:tcp"]);
        assert_eq!(kinds("1.2.3.4/24"), ["hidv4:1.2.3.4", "op_slash:/", "unum:24"]);
        assert_eq!(kinds("10.0"), ["ufloat:10.0"]);
        assert_eq!(kinds("1.2.3"), ["ident:1.2.3"]);
        assert_eq!(kinds("5 -3"), ["unum:5", "snum:-3"]);
        assert_eq!(kinds("5 - 3"), ["unum:5", "op_minus:-", "unum:3"]);
        assert_eq!(kinds("0x1f 0x"), ["unum:0x1f", "ident:0x"]);
        assert_eq!(kinds("fe80::1 ::1"), ["hidv6:fe80::1", "hidv6:::1"]);
        assert_eq!(kinds("00:11:22:33:44:55"), ["eid:00:11:22:33:44:55"]);
        assert_eq!(kinds("1:2:3:4:5:6:7:8"), ["hidv6:1:2:3:4:5:6:7:8"]);
        assert_eq!(kinds("ece ece::1"), ["keyword:ece", "hidv6:ece::1"]);
        assert_eq!(kinds(".1.2.3.4 .5"), ["dotted:.1.2.3.4", "ufloat:.5"]);
        assert_eq!(kinds(r#""a" and "b""#), [r#"quoted:"a" and "b""#]);
        assert_eq!(kinds(">= != == <<"), ["op_ge:>=", "op_ne:!=", "op_eq:==", "op_lsh:<<"]);
        assert_eq!(kinds("$i"), ["illegal_token:$i"]);
        assert_eq!(kinds("\\tcp"), ["ident:\\tcp"]);
    }

    #[test]
    fn lexical_errors_name_the_token() {
        assert_eq!(lexical_error("tcp and $i"), Some((8, "$i".into(), "illegal token: $i".into())));
        assert_eq!(lexical_error("a"), Some((0, "a".into(), "illegal char 'a'".into())));
        assert_eq!(lexical_error("tcp"), None);
    }

    #[test]
    fn grammar_errors_name_the_position() {
        match parse("bytes > 100") {
            Err(SyntaxFailure::Grammar { position, token }) => {
                assert_eq!((position, token.as_str()), (6, ">"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse("tcp and dst port 80").is_ok());
        assert!(parse("").is_ok());
    }
}
