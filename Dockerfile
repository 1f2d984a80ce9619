# One image for every paicha service; docker-compose.yml picks the service by its command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contracts ./contracts
COPY services ./services
COPY paicha_runtime ./paicha_runtime
COPY paicha ./paicha
COPY deploy ./deploy
RUN pip install . && useradd --system --uid 10001 paicha && mkdir -p /var/lib/paicha \
    && chown paicha /var/lib/paicha
USER paicha
# Overridden per service in docker-compose.yml.
CMD ["python", "-m", "services.intake"]
