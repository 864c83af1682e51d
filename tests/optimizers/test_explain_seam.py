"""optimizers.explain's collector: notes reach only the collector of their own thread."""

from __future__ import annotations

import threading

from optimizers import explain


def test_a_note_in_another_thread_never_reaches_this_threads_collector():
    # The app traces the runs of several sessions at once, each in its own thread; a value noted
    # by one trace in another's collector is a leaked tracer (UnexpectedTracerError).
    entered, noted_elsewhere = threading.Event(), threading.Event()
    seen: dict = {}

    def collector_thread():
        with explain.collecting() as noted:
            entered.set()
            noted_elsewhere.wait(10)
            explain.note(own=1)
            seen.update(noted)

    worker = threading.Thread(target=collector_thread)
    worker.start()
    assert entered.wait(10)
    explain.note(other=2)  # this thread has no collector: a no-op
    noted_elsewhere.set()
    worker.join(10)
    assert seen == {"own": 1}
