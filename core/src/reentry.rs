//! A bound on nested calls: a host callback (registry lookup, replay store,
//! fetcher) that verifies or authenticates from inside a verification nests
//! the whole pipeline on one stack. Beyond a small depth the call is refused
//! with a usage error instead of running the thread out of stack, which in a
//! host process (Node, Python) is a crash.

use std::cell::Cell;

use crate::error::{Error, ErrorCode, Result};

/// How many pipeline entries may be active at once on one thread (an
/// authentication with an assertion counts two).
pub const MAX_NESTING: u32 = 16;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Held for the duration of one pipeline run.
#[derive(Debug)]
pub(crate) struct Entered(());

impl Drop for Entered {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Enter the pipeline, or refuse when calls are already nested too deep.
pub(crate) fn enter() -> Result<Entered> {
    DEPTH.with(|d| {
        let depth = d.get();
        if depth >= MAX_NESTING {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "verification calls are nested too deep (a callback that verifies from inside a verification)",
            ));
        }
        d.set(depth + 1);
        Ok(Entered(()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_bounded_and_released() {
        fn nest(n: u32) -> Result<u32> {
            let _g = enter()?;
            if n == 0 { Ok(0) } else { nest(n - 1).map(|d| d + 1) }
        }
        assert_eq!(nest(MAX_NESTING - 1), Ok(MAX_NESTING - 1));
        assert_eq!(nest(MAX_NESTING).unwrap_err().code(), ErrorCode::InvalidArgument);
        // Every guard was dropped on the way out, success or not.
        assert_eq!(DEPTH.with(Cell::get), 0);
        assert!(nest(3).is_ok());
    }
}
