"""The course topics (one quiz file and one notebook each) and the DOP-C02 exam domains."""

TOPICS = {
    "01-pipelines": "Pipelines, stages and actions",
    "02-artifacts": "Artifacts through S3",
    "03-troubleshooting": "Troubleshooting and monitoring",
    "04-triggers": "Starting a pipeline: events, webhooks, polling",
    "05-approval": "Manual approval",
    "06-cloudformation": "CloudFormation as a deploy target",
    "07-cross-region": "Cross-region deployments",
    "08-review": "Review and practice exam",
}

DOMAINS = {
    1: "SDLC Automation",
    2: "Configuration Management and IaC",
    3: "Resilient Cloud Solutions",
    4: "Monitoring and Logging",
    5: "Incident and Event Response",
    6: "Security and Compliance",
}
