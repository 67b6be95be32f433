"""Writes about negotiation (R8). Each do_* is one transaction under the case row lock,
with its audit event, and real-time events sent on commit to recipients the policy chose."""

from parley.negotiation.actions.bidding import do_place_bid, do_set_up_bidding
from parley.negotiation.actions.offers import (
    do_answer_offer,
    do_make_offer,
    do_present_proposal,
    do_withdraw_offer,
)
from parley.negotiation.actions.proposals import do_start_proposal
from parley.negotiation.actions.ratings import do_rate, do_set_issues
from parley.negotiation.actions.settlement import (
    do_draft_settlement,
    do_edit_settlement,
    do_sign_settlement,
)

__all__ = [
    "do_answer_offer",
    "do_draft_settlement",
    "do_edit_settlement",
    "do_make_offer",
    "do_place_bid",
    "do_present_proposal",
    "do_rate",
    "do_set_issues",
    "do_set_up_bidding",
    "do_sign_settlement",
    "do_start_proposal",
    "do_withdraw_offer",
]
