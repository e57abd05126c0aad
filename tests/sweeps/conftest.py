from tests.notifications.conftest import drain_jobs  # noqa: F401 - the real worker, in process
