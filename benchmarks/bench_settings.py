"""Settings for the benchmark server: the project's settings plus the bare baseline view's URL."""

from sbops.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
