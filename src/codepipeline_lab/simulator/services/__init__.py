"""What moto lacks: CodeCommit content, event routing to every target type, and more."""
