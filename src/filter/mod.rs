//! The Argus client filter language: grammar (pest), AST, and a compiled
//! evaluator over records. pest types never leave this module.
