"""``orgs.access``: the helpers every app's views use to stay inside one organization."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from leadwell.orgs.access import current_org, has_role, org_object_or_404, require_role
from leadwell.orgs.models import Person, Role, Unit


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_current_org_is_where_the_user_has_a_role(admin, outsider, org, other_org):
    assert current_org(request_for(admin)) == org
    assert current_org(request_for(outsider)) == other_org


def test_anonymous_users_and_users_without_a_role_have_no_organization(db):
    nobody = get_user_model().objects.create_superuser("root", "r@example.com", "x")
    assert current_org(request_for(AnonymousUser())) is None
    assert current_org(request_for(nobody)) is None
    with pytest.raises(Http404):
        require_role(request_for(nobody))
    with pytest.raises(Http404):
        require_role(request_for(AnonymousUser()), Role.ADMIN)


def test_require_role_accepts_the_named_roles_only(admin, leader, org):
    assert require_role(request_for(admin), Role.ADMIN) == org
    assert require_role(request_for(leader.user), Role.LEADER, Role.COACH) == org
    assert require_role(request_for(leader.user)) == org  # any role
    with pytest.raises(Http404):
        require_role(request_for(leader.user), Role.ADMIN)
    assert not has_role(request_for(leader.user), Role.ADMIN)
    assert has_role(request_for(admin), Role.ADMIN, Role.COACH)


def test_a_role_in_another_organization_does_not_count(outsider, org):
    Role.objects.create(organization=org, user=outsider, role=Role.LEADER)
    request = request_for(outsider)
    # The outsider's first (oldest) role is Globex admin: Acme's leader role is not used.
    assert current_org(request).slug == "globex"
    with pytest.raises(Http404):
        require_role(request, Role.LEADER)


def test_roles_are_read_once_per_request(admin, django_assert_num_queries):
    request = request_for(admin)
    with django_assert_num_queries(1):
        current_org(request)
        require_role(request, Role.ADMIN)
        has_role(request, Role.COACH)


def test_org_object_or_404_finds_only_the_organizations_own_objects(people, org, other_org):
    lee = people["Lee"]
    assert org_object_or_404(Person, org, pk=lee.pk) == lee
    with pytest.raises(Http404):
        org_object_or_404(Person, other_org, pk=lee.pk)
    units = Unit.objects.select_related("organization")
    assert org_object_or_404(units, org, name="Operations").organization == org
    with pytest.raises(Http404):
        org_object_or_404(units, other_org, name="Operations")
