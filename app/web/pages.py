"""Every domain's pages, in the order of the site's menu."""

from schemes.contributions.declaration_pages import PAGES as DECLARATION_PAGES
from schemes.contributions.pages import PAGES as CONTRIBUTION_PAGES
from schemes.contributions.subsidy_pages import PAGES as SUBSIDY_PAGES
from schemes.duplicates.pages import PAGES as DUPLICATE_PAGES
from schemes.employers.pages import PAGES as EMPLOYER_PAGES
from schemes.gateways.pages import PAGES as GATEWAY_PAGES
from schemes.imports.pages import PAGES as IMPORT_PAGES
from schemes.members.pages import PAGES as MEMBER_PAGES
from schemes.rules.pages import PAGES as SCHEME_PAGES
from tenants.audit.pages import PAGES as AUDIT_PAGES
from tenants.identity.pages import PAGES as IDENTITY_PAGES
from tenants.invitations.pages import PAGES as PEOPLE_PAGES
from tenants.partners.pages import PAGES as PARTNER_PAGES
from tenants.registry.pages import PAGES as REGISTRY_PAGES
from tenants.web import PageSet

PAGE_SETS: tuple[PageSet, ...] = (
    REGISTRY_PAGES,
    MEMBER_PAGES,
    CONTRIBUTION_PAGES,
    SUBSIDY_PAGES,
    GATEWAY_PAGES,
    DUPLICATE_PAGES,
    EMPLOYER_PAGES,
    DECLARATION_PAGES,
    IMPORT_PAGES,
    SCHEME_PAGES,
    PEOPLE_PAGES,
    PARTNER_PAGES,
    AUDIT_PAGES,
    IDENTITY_PAGES,
)
