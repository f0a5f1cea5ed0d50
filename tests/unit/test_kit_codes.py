"""services.kit.codes: USCC (GB 32100-2015) and resident ID (GB 11643-1999) check characters, masking."""
import pytest

from services.kit import codes

# --- independent reference implementations, written from the standards, not from the module ---
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def reference_uscc_check(first17: str) -> str:
    c = 31 - sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS)) % 31
    return _USCC_ALPHABET[0 if c == 31 else c]


def reference_id_check(first17: str) -> str:
    return "10X98765432"[sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS)) % 11]


VALID_USCC = ["91350100M000100Y43", "91110000802100433B", "91620802MA7123456Y"]
VALID_IDS = ["11010519491231002X", "440524188001010014", "620802199001011231"]


# --- USCC -----------------------------------------------------------------------------------------

def test_uscc_alphabet_and_weights_match_the_standard():
    assert codes.USCC_ALPHABET == _USCC_ALPHABET
    assert len(codes.USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(codes.USCC_ALPHABET)
    assert codes.USCC_WEIGHTS == _USCC_WEIGHTS
    assert codes.USCC_WEIGHTS == tuple(pow(3, i, 31) for i in range(17))


@pytest.mark.parametrize("code", VALID_USCC)
def test_known_good_uscc_is_valid(code):
    assert reference_uscc_check(code[:17]) == code[17]  # the fixture itself is right
    assert codes.uscc_check_char(code[:17]) == code[17]
    assert codes.uscc_problem(code) is None


def test_uscc_check_char_maps_31_to_zero():
    # Find a body whose weighted sum is 0 mod 31: the check character must then be "0", not index 31.
    body = "00000000000000000"
    assert codes.uscc_check_char(body) == "0"
    assert codes.uscc_problem(body + "0") is None


@pytest.mark.parametrize("code", ["", "9135010", "91350100M000100Y4", "91350100M000100Y433"])
def test_uscc_of_wrong_length_is_a_length_problem(code):
    assert codes.uscc_problem(code) == "length"


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "a", "-", " ", "中"])
def test_uscc_with_a_character_outside_the_alphabet_is_a_charset_problem(bad):
    code = "91350100M000100Y4" + bad
    assert codes.uscc_problem(code) == "charset"
    assert codes.uscc_problem(bad + "1350100M000100Y43") == "charset"


def test_lowercase_uscc_is_a_charset_problem():
    assert codes.uscc_problem("91350100m000100y43") == "charset"


def test_uscc_with_wrong_check_char_is_a_check_digit_problem():
    assert codes.uscc_problem("91350100M000100Y44") == "check_digit"


@pytest.mark.parametrize("code", VALID_USCC)
def test_every_single_character_corruption_of_a_valid_uscc_is_detected(code):
    for pos in range(18):
        for ch in _USCC_ALPHABET:
            if ch == code[pos]:
                continue
            corrupted = code[:pos] + ch + code[pos + 1:]
            assert codes.uscc_problem(corrupted) == "check_digit", corrupted


def test_check_char_agrees_with_reference_for_many_bodies():
    for n in range(500):
        body = "".join(_USCC_ALPHABET[(n * 7 + i * 13 + n // 3) % 31] for i in range(17))
        assert codes.uscc_check_char(body) == reference_uscc_check(body)


def test_uscc_region_is_characters_3_to_8():
    assert codes.uscc_region("91350100M000100Y43") == "350100"


# --- resident ID ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", VALID_IDS)
def test_known_good_resident_id_is_valid(code):
    assert reference_id_check(code[:17]) == code[17]
    assert codes.resident_id_check_char(code[:17]) == code[17]
    assert codes.resident_id_problem(code) is None


def test_the_standards_example_with_x_check_is_valid():
    assert codes.resident_id_problem("11010519491231002X") is None


@pytest.mark.parametrize("code", ["", "11010519491231002", "11010519491231002XX", "110105194912310"])
def test_resident_id_of_wrong_length_is_a_length_problem(code):
    assert codes.resident_id_problem(code) == "length"


@pytest.mark.parametrize("code", ["1101051949123100AX", "11010519491231002x", "1101051949123100 2", "X10105194912310020"])
def test_resident_id_with_non_digits_is_a_charset_problem(code):
    assert codes.resident_id_problem(code) == "charset"


def test_resident_id_with_wrong_check_is_a_check_digit_problem():
    assert codes.resident_id_problem("110105194912310021") == "check_digit"


@pytest.mark.parametrize("code", VALID_IDS)
def test_every_single_character_corruption_of_a_valid_resident_id_is_detected(code):
    for pos in range(18):
        for ch in "0123456789" + ("X" if pos == 17 else ""):
            if ch == code[pos]:
                continue
            corrupted = code[:pos] + ch + code[pos + 1:]
            assert codes.resident_id_problem(corrupted) == "check_digit", corrupted


def test_resident_id_in_fullwidth_digits_is_not_accepted():
    # The standard's example written with fullwidth digits (U+FF10..U+FF19) is not an 18-ASCII-digit code.
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in "11010519491231002X")
    assert codes.resident_id_problem(fullwidth) == "charset"


def test_resident_id_with_a_superscript_digit_is_a_charset_problem_not_a_crash():
    # "²".isdigit() is True but int("²") raises ValueError.
    assert codes.resident_id_problem("²1010519491231002X") == "charset"


# --- masking --------------------------------------------------------------------------------------

def test_mask_resident_id_keeps_6_leading_and_4_trailing_characters():
    assert codes.mask_resident_id("62080219900101123X") == "620802********123X"
    assert len(codes.mask_resident_id("62080219900101123X")) == 18


@pytest.mark.parametrize("code", ["", "123", "6208021990010112", "6208021990010112345"])
def test_mask_resident_id_of_unexpected_length_masks_everything(code):
    assert codes.mask_resident_id(code) == "*" * len(code)


def test_mask_phone_masks_the_middle_four_digits_of_a_mobile_number():
    assert codes.mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize("phone, masked", [("0933-8212345", "093*****2345"), ("1380013800", "138***3800"), ("12350", "***50"), ("", "")])
def test_mask_phone_masks_landlines_and_short_numbers_too(phone, masked):
    # Personal data is masked in lists whatever its shape: landlines and short numbers too.
    assert codes.mask_phone(phone) == masked
