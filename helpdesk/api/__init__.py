"""REST API v1 (JSON): routes declared in a registry that also builds the OpenAPI document.

Browser sessions keep CSRF protection through the X-CSRFToken header (inputs.authenticate);
bearer-token integrations need none, so the blueprint is exempt from the form-based check.
"""

from helpdesk.api import actions, articles, calls, directory, errors, search, spec, tickets
from helpdesk.api.registry import blueprint
from helpdesk.extensions import csrf

errors.register(blueprint)
csrf.exempt(blueprint)

__all__ = ["actions", "articles", "blueprint", "calls", "directory", "search", "spec", "tickets"]
