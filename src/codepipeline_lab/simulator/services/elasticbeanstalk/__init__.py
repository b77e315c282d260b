"""Elastic Beanstalk application versions and environment updates (applications and
environments themselves stay in moto)."""

from codepipeline_lab.simulator.services.elasticbeanstalk.versions import ElasticBeanstalk, elasticbeanstalk_operations

__all__ = ["ElasticBeanstalk", "elasticbeanstalk_operations"]
