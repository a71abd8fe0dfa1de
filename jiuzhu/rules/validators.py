"""The validators of rule data (approval steps, tiers, groups): they live in `orgs/validators.py`, below the
settings registry that lists them; re-exported here for the rules' model fields and their migrations."""

from jiuzhu.orgs.validators import (
    COLLECTIVE,
    TIER_KEYS,
    approver_roles,
    validate_approval_steps,
    validate_exceed_cap_steps,
    validate_groups,
    validate_hardship_tiers,
    validate_non_blank,
)

__all__ = ["COLLECTIVE", "TIER_KEYS", "approver_roles", "validate_approval_steps", "validate_exceed_cap_steps",
           "validate_groups", "validate_hardship_tiers", "validate_non_blank"]
