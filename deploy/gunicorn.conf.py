"""gunicorn settings, overridable from the environment (see README)."""

import multiprocessing
import os

# The language scorer's encoder multiplies small matrices with numpy: one BLAS thread per
# worker (the workers are the parallelism), not one per core in every worker. Set before the
# app, and so numpy, is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# Workers are recycled now and then (a guard against slow leaks). They fork from a master that
# has already loaded Django (preload_app), so a new worker costs a fork, not a second of
# imports: at a crowd's pace every worker would otherwise re-import every few seconds.
# Application code changes then need a restart, not a HUP.
preload_app = True
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
