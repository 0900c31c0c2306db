"""Every domain's pages, in the order of the site's menu."""

from schemes.members.pages import PAGES as MEMBER_PAGES
from tenants.audit.pages import PAGES as AUDIT_PAGES
from tenants.identity.pages import PAGES as IDENTITY_PAGES
from tenants.registry.pages import PAGES as REGISTRY_PAGES
from tenants.web import PageSet

PAGE_SETS: tuple[PageSet, ...] = (REGISTRY_PAGES, MEMBER_PAGES, AUDIT_PAGES, IDENTITY_PAGES)
