from __future__ import annotations

# Persons are case data, not reference data: they are edited only through case actions and never
# shown unmasked in the admin, so no admin is registered here.
