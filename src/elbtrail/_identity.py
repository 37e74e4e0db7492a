"""``userIdentity``: who made the call, one class per documented identity type."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._model import Model

__all__ = [
    "AWSAccountIdentity",
    "AWSServiceIdentity",
    "AssumedRoleIdentity",
    "DirectoryIdentity",
    "FederatedUserIdentity",
    "IAMUserIdentity",
    "IdentityCenterUserIdentity",
    "InScopeOf",
    "InvokedByDelegate",
    "OnBehalfOf",
    "RoleIdentity",
    "RootIdentity",
    "SAMLUserIdentity",
    "SessionAttributes",
    "SessionContext",
    "SessionIssuer",
    "UnknownIdentity",
    "UserIdentity",
    "WebIdFederationData",
    "WebIdentityUserIdentity",
]


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class SessionIssuer(Model):
    """
    The entity that issued temporary credentials (``sessionContext.sessionIssuer``).

    Added in version 0.1.0.
    """

    type: str | None = None
    principal_id: str | None = None
    arn: str | None = None
    account_id: str | None = None
    user_name: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class WebIdFederationData(Model):
    """
    The identity provider behind web identity federation; often empty.

    Added in version 0.1.0.
    """

    federated_provider: str | None = None
    attributes: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class SessionAttributes(Model):
    """
    When the session began and whether it was authenticated with MFA.

    ``mfaAuthenticated`` is the string ``"true"`` or ``"false"`` on the wire; it
    is a `bool` here and goes back out as it came in.

    Added in version 0.1.0.
    """

    # Repeated by every call of a session, and by sessions begun together.
    _elbtrail_intern = True

    creation_date: datetime | None = None
    mfa_authenticated: bool | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class SessionContext(Model):
    """
    Details of the temporary session the call was made with.

    Added in version 0.1.0.
    """

    session_issuer: SessionIssuer | None = None
    web_id_federation_data: WebIdFederationData | None = None
    attributes: SessionAttributes | None = None
    source_identity: str | None = None
    #: ``"1.0"`` for IMDSv1 credentials, ``"2.0"`` for IMDSv2.
    ec2_role_delivery: str | None = None
    #: True for sessions from STS ``AssumeRoot``.
    assumed_root: bool | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class OnBehalfOf(Model):
    """
    The IAM Identity Center user a call was made for.

    Added in version 0.1.0.
    """

    user_id: str | None = None
    identity_store_arn: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class InScopeOf(Model):
    """
    The resource that temporary credentials were issued to (Lambda, ...).

    Added in version 0.1.0.
    """

    source_arn: str | None = None
    source_account: str | None = None
    issuer_type: str | None = None
    credentials_issued_to: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class InvokedByDelegate(Model):
    """
    The account a delegated call was made for.

    Added in version 0.1.0.
    """

    account_id: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class UserIdentity(Model):
    """
    Who made the call: the ``userIdentity`` element.

    A record's identity is an instance of the subclass for its ``type``
    (`IAMUserIdentity`, `AssumedRoleIdentity`, ...); a type that
    no release of elbtrail knows yet comes back as this class, with every field
    and unknown key kept.

    Added in version 0.1.0.
    """

    _elbtrail_intern = True

    @classmethod
    def _elbtrail_choose(cls, data: Mapping[str, Any]) -> type[Model]:
        """Build the subclass for ``type``; an unknown type builds this class."""
        kind = data.get("type")
        if kind.__class__ is str:
            return IDENTITY_TYPES.get(kind, UserIdentity)
        return UserIdentity

    type: str | None = None
    principal_id: str | None = None
    arn: str | None = None
    account_id: str | None = None
    access_key_id: str | None = None
    user_name: str | None = None
    session_context: SessionContext | None = None
    invoked_by: str | None = None
    credential_id: str | None = None
    on_behalf_of: OnBehalfOf | None = None
    identity_provider: str | None = None
    in_scope_of: InScopeOf | None = None
    invoked_by_delegate: InvokedByDelegate | None = None

    @property
    def principal(self) -> str | None:
        """
        A short, readable name for who made the call.

        The user name, the role session's issuer and session name, the invoking
        service, or failing those the ARN or principal ID.
        """
        if self.user_name:
            return self.user_name
        context = self.session_context
        issuer = context.session_issuer if context is not None else None
        if issuer is not None and issuer.user_name:
            session = (self.arn or "").rsplit("/", 1)[-1] if self.arn else None
            return f"{issuer.user_name}/{session}" if session else issuer.user_name
        return self.invoked_by or self.arn or self.principal_id

    @property
    def mfa_authenticated(self) -> bool | None:
        """Whether the session was authenticated with MFA, where that is recorded."""
        context = self.session_context
        if context is None or context.attributes is None:
            return None
        return context.attributes.mfa_authenticated


# The identity types add no fields: each is a plain subclass, which has the
# methods attrs made for UserIdentity (building an attrs class is not free).
class RootIdentity(UserIdentity):
    """The account's root user (``type: Root``)."""


class IAMUserIdentity(UserIdentity):
    """An IAM user's long-term credentials (``type: IAMUser``)."""


class AssumedRoleIdentity(UserIdentity):
    """Temporary credentials from ``sts:AssumeRole`` (``type: AssumedRole``)."""


class RoleIdentity(UserIdentity):
    """A role acting directly (``type: Role``)."""


class FederatedUserIdentity(UserIdentity):
    """Credentials from ``sts:GetFederationToken`` (``type: FederatedUser``)."""


class AWSAccountIdentity(UserIdentity):
    """Another AWS account (``type: AWSAccount``)."""


class AWSServiceIdentity(UserIdentity):
    """An AWS service acting through a role (``type: AWSService``)."""


class IdentityCenterUserIdentity(UserIdentity):
    """An IAM Identity Center user (``type: IdentityCenterUser``)."""


class DirectoryIdentity(UserIdentity):
    """A directory service user (``type: Directory``)."""


class SAMLUserIdentity(UserIdentity):
    """A SAML-federated caller of ``AssumeRoleWithSAML`` (``type: SAMLUser``)."""


class WebIdentityUserIdentity(UserIdentity):
    """An OIDC-federated caller (``type: WebIdentityUser``)."""


class UnknownIdentity(UserIdentity):
    """An identity CloudTrail itself could not determine (``type: Unknown``)."""


#: The class built for each documented ``userIdentity.type``.
IDENTITY_TYPES: Mapping[str, type[UserIdentity]] = {
    "Root": RootIdentity,
    "IAMUser": IAMUserIdentity,
    "AssumedRole": AssumedRoleIdentity,
    "Role": RoleIdentity,
    "FederatedUser": FederatedUserIdentity,
    "AWSAccount": AWSAccountIdentity,
    "AWSService": AWSServiceIdentity,
    "IdentityCenterUser": IdentityCenterUserIdentity,
    "Directory": DirectoryIdentity,
    "SAMLUser": SAMLUserIdentity,
    "WebIdentityUser": WebIdentityUserIdentity,
    "Unknown": UnknownIdentity,
}
