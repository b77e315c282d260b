"""The simulator: CodePipeline's behaviour on top of moto's account."""
