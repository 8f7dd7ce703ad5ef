"""The community digital-technology team of each village, and who belongs to it."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.accounts.models import User
from server.areas.models import Area


class Team(Model):
    """The community digital-technology team of one village."""

    id = fields.IntField(primary_key=True)
    village: fields.OneToOneRelation[Area] = fields.OneToOneField(
        "langso.Area", related_name="team", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=120)
    leader: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "langso.User", related_name="led_teams", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "team"


class TeamMember(Model):
    """A user's membership of a team."""

    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "langso.Team", related_name="members", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "langso.User", related_name="teams", on_delete=fields.CASCADE
    )
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "team_member"
        unique_together = (("team", "user"),)
