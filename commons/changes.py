"""The bus channels and change types of commons (nothing else builds these names).

Both channels are for staff only (see commons.feature): a partner's drafts never reach another
partner, and the budget's figures are not public.
"""

from __future__ import annotations

# Session proposals of partner accounts: the organizers' queue follows it.
PROPOSALS = "proposals"
PROPOSAL_CREATED = "proposal.created"
PROPOSAL_ACCEPTED = "proposal.accepted"
PROPOSAL_REFUSED = "proposal.refused"
PROPOSAL_WITHDRAWN = "proposal.withdrawn"

# Typed contributions, the valuation table and the projection's assumptions: the budget pages follow it.
CONTRIBUTIONS = "contributions"
CONTRIBUTION_ADDED = "contribution.added"
CONTRIBUTION_REMOVED = "contribution.removed"
VALUATION_CHANGED = "valuation.changed"
BUDGET_CHANGED = "budget.changed"

# Requests for free half-days of rooms (staff only): the organizers' queue and the rooms page follow it.
ROOM_REQUESTS = "halfdays"
ROOM_REQUEST_CREATED = "room_request.created"
ROOM_REQUEST_ACCEPTED = "room_request.accepted"
ROOM_REQUEST_REFUSED = "room_request.refused"
ROOM_REQUEST_WITHDRAWN = "room_request.withdrawn"

# The equipment bank (staff and partner accounts): catalogue changes and bookings.
MEANS = "means"
MEANS_CHANGED = "means.changed"
BOOKING_CREATED = "booking.created"
BOOKING_CHANGED = "booking.changed"

# The common base: a site's item states go on its site channel (events.changes.site_channel) so that
# its page and lobby screens follow; the tickets on the staff-only `faults` channel.
BASE_CHANGED = "base.changed"
FAULTS = "faults"
FAULT_CHANGED = "fault.changed"
