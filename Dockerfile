# convscope as a container: one Streamlit replica on port 8501.
#
#   docker build -t convscope .
#   docker run --rm -p 8501:8501 --cpus 2 --memory 2g convscope
#
# Limits are baked in: .streamlit/config.toml (server.maxUploadSize = 20, error
# details hidden) and the app's conv/app/limits.py are copied with the code.
# For more visitors run one container per core behind a sticky-session load
# balancer (README, "Deploying"; deploy/nginx.conf.template is a tested one).
FROM python:3.11-slim

# No file watcher in production: without watchdog (not in requirements.txt)
# Streamlit would poll every source file for changes.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# glibc malloc that gives memory back (same values as deploy/run_replicas.sh,
# a test compares them): two arenas instead of one per script thread, and
# buffers of 64 KB and more (arrays, figure JSON) in their own mappings, which
# go back to the system when freed instead of fragmenting the heap (README,
# "Deploying"). Without them RSS kept ~100 MB of freed heap after 8 waves of 20.
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=65536

WORKDIR /app
# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin convscope
# Owned by root: the user the app runs as cannot change its code.
COPY --chown=root:root . .
USER convscope

EXPOSE 8501
# slim has no curl: ask the health endpoint with Python.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)" || exit 1

# Exec form: Streamlit is PID 1, so `docker stop`'s SIGTERM reaches it. Another
# host port: `docker run -p 9000:8501 ...`; the container always listens on 8501.
CMD ["streamlit", "run", "streamlit_app.py", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
