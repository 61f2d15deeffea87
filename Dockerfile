# The council-qa web chat. With docker-compose.yml its index lives in a Chroma server.
FROM python:3.11-slim

WORKDIR /app
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False
# The CPU build of torch: the default one pulls gigabytes of CUDA libraries.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md app.py ./
COPY council_qa council_qa
COPY ingest ingest
COPY index index
COPY rag rag
COPY eval eval
COPY data data
RUN pip install --no-cache-dir .

ENV COUNCIL_QA_HOME=/data/council-qa COUNCIL_QA_HOST=0.0.0.0 COUNCIL_QA_PORT=7860
EXPOSE 7860
CMD ["council-qa", "serve", "--ingest-if-empty"]
