"""What starts pipelines besides StartPipelineExecution: polling, events from S3 and ECR, webhooks, V2 triggers."""
