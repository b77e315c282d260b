"""CloudTrail's API where moto lacks it or answers on the real clock: LookupEvents over the audit
trail, and StartLogging/StopLogging/GetTrailStatus on virtual time. Trails themselves (create,
describe, update, delete, event selectors) stay moto's."""

from __future__ import annotations

from codepipeline_lab.simulator import api, errors
from codepipeline_lab.simulator.params import required
from codepipeline_lab.simulator.services.cloudtrail.delivery import TrailDelivery, trail_status
from codepipeline_lab.simulator.services.cloudtrail.lookup import lookup_events


def cloudtrail_operations(account) -> dict:
    delivery = TrailDelivery(account.audit, account.lab.scheduler, account.account_id)
    account.trail_delivery = delivery
    scheduler = account.lab.scheduler

    def lookup(params, ctx):
        # The authorizer records a call before it is answered; a lookup does not list itself.
        entries = account.audit.entries
        upto = entries[-1].seq if entries and entries[-1].call.operation == "LookupEvents" else None
        return lookup_events(account.audit, params, ctx.region, ctx.account_id, scheduler.now, upto)

    def start_logging(params, ctx):
        delivery.start_logging(find_trail(ctx, required(params, "Name")))
        return {}

    def stop_logging(params, ctx):
        delivery.stop_logging(find_trail(ctx, required(params, "Name")))
        return {}

    def get_trail_status(params, ctx):
        trail = find_trail(ctx, required(params, "Name"), shadow=True)
        return trail_status(trail, delivery.log(trail))

    return {"lookup_events": lookup, "start_logging": start_logging, "stop_logging": stop_logging,
            "get_trail_status": get_trail_status}


def find_trail(ctx, name_or_arn: str, shadow: bool = False) -> api.TrailConfig:
    """A trail by name or ARN in the called region; ``shadow`` also finds multi-Region trails
    of other home regions, as GetTrailStatus does."""
    for trail in api.trails(ctx.account_id):
        here = trail.home_region == ctx.region or (shadow and trail.is_multi_region)
        if here and name_or_arn in (trail.name, trail.arn):
            return trail
    arn = name_or_arn if name_or_arn.startswith("arn:") else f"arn:aws:cloudtrail:{ctx.region}:{ctx.account_id}:trail/{name_or_arn}"
    raise errors.TrailNotFoundException(f"Unknown trail: {arn} for the user: {ctx.account_id}")
