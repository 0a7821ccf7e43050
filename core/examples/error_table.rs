//! Prints the error table as JSON: the single source (`jwtauth::ErrorCode`)
//! exported for the C, Python and Node layers. CI compares the output with
//! `tests/vectors/error_codes.json`.
#![allow(clippy::print_stdout, reason = "the table goes to stdout")]

fn main() {
    print!("{}", jwtauth::error_table_json());
}
