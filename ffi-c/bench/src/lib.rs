//! Only the benchmark in `benches/c_api.rs` lives here: it compares the C
//! API (`libjwtauth.so`, loaded at run time) with the Rust core it wraps.
