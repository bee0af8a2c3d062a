# convscope as a container: one Streamlit replica on $PORT (default 8501).
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
    PORT=8501 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app
# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin convscope
# Owned by root: the user the app runs as cannot change its code.
COPY --chown=root:root . .
USER convscope

EXPOSE 8501
# slim has no curl: ask the health endpoint with Python.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('PORT', '8501'), timeout=4)" || exit 1

# exec: Streamlit replaces the shell as PID 1, so `docker stop`'s SIGTERM reaches it.
CMD ["sh", "-c", "exec streamlit run streamlit_app.py --server.port=${PORT} --server.address=0.0.0.0 --server.headless=true"]
