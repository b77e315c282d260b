"""`codepipeline-lab run`: a pipeline declaration or a CloudFormation template, run end to end
in a Lab with folders of your own code as its sources (see docs/runner.md)."""
