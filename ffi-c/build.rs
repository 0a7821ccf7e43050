//! Sets the shared library's SONAME (the ABI policy of the README): while
//! the version is 0.x every minor release may break the ABI, so the SONAME
//! is `libjwtauth.so.0.MINOR`; from 1.0 on it is `libjwtauth.so.MAJOR`.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let soname =
        if major == "0" { format!("libjwtauth.so.0.{minor}") } else { format!("libjwtauth.so.{major}") };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
