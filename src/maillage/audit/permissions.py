"""Who may browse the audit log."""

import rules

from maillage.core.permissions import is_administrator, is_coordinator

# The coordinator animates the network and answers for its privacy practices; the
# administrator investigates account problems. Practitioners see their own trail only
# through the pages of later features (a family's access report).
rules.add_perm("audit.view_log", is_coordinator | is_administrator)
