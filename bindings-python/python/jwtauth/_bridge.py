"""The async variants' plumbing: ``verify_async`` and ``authenticate_async``
run the sync call on the event loop's default executor, and an ``async def``
callback's answer is awaited back on the caller's loop, within what is left
of the call's deadline. Not public API."""

import asyncio
import threading

_local = threading.local()


def resolve(awaitable, timeout):
    """Called by the native layer when a callback answered with an awaitable."""
    loop = getattr(_local, "loop", None)
    if loop is None:
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()
        raise TypeError("a callback returned an awaitable in a sync call")

    async def wait():
        return await awaitable

    future = asyncio.run_coroutine_threadsafe(wait(), loop)
    try:
        return future.result(timeout=max(timeout, 0.0))
    except TimeoutError:
        future.cancel()
        raise


async def run_async(fn, timeout, args, kwargs):
    loop = asyncio.get_running_loop()

    def work():
        _local.loop = loop
        try:
            return fn(*args, timeout=timeout, **kwargs)
        finally:
            _local.loop = None

    return await loop.run_in_executor(None, work)
