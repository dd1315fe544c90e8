"""Who may browse the audit log."""

import rules

from maillage.core.permissions import is_administrator, is_coordinator

# The coordinator animates the network and answers for its privacy practices; the
# administrator investigates account problems. Practitioners see their own trail only
# through the pages of later features (a family's access report).
rules.add_perm("audit.view_log", is_coordinator | is_administrator)
# The reason typed when breaking the glass is free text that may name people: the family's
# lead worker reads it (by e-mail, and in the family's access report) and the
# administrator, as privacy officer, reviews it here; the coordinator's log says only
# that a reason was recorded.
rules.add_perm("audit.view_break_glass_reason", is_administrator)
