"""Domain value types (standard library only): ID numbers, mobiles, area codes, person key, masks.

Pydantic versions of these for the event models live in ``contracts.types``.
"""

from contracts.values.area import (
    AREA_CODE_PATTERN,
    ancestors,
    county_of,
    covers,
    level_of,
    parent_of,
    significant_prefix,
    validate_area_code,
)
from contracts.values.errors import InvalidValue
from contracts.values.id_number import (
    PROVINCE_CODES,
    birth_date_of,
    check_digit,
    is_valid_id_number,
    normalize_id_number,
    validate_id_number,
)
from contracts.values.masking import mask_id_number, mask_mobile, mask_name
from contracts.values.mobile import MOBILE_PATTERN, normalize_mobile, validate_mobile
from contracts.values.person_key import PERSON_KEY_PATTERN, person_key

__all__ = [
    "AREA_CODE_PATTERN",
    "MOBILE_PATTERN",
    "PERSON_KEY_PATTERN",
    "PROVINCE_CODES",
    "InvalidValue",
    "ancestors",
    "birth_date_of",
    "check_digit",
    "county_of",
    "covers",
    "is_valid_id_number",
    "level_of",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
    "normalize_id_number",
    "normalize_mobile",
    "parent_of",
    "person_key",
    "significant_prefix",
    "validate_area_code",
    "validate_id_number",
    "validate_mobile",
]
