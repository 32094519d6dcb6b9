//! Text output of records: ra-compatible columns, delimited text, XML, JSON.
