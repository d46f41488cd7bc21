"""A synthetic, reproducible collection of practices for benchmarks.

Words are drawn from the Polish frequency list of ``wordfreq`` (real word
forms with Zipfian frequencies), mixed with a little topic vocabulary per
category; metadata follows the shape of the real BDP: all 16 voivodeships,
its categories and subcategories, unit types with plausible populations and
dates added 2008–2013. The same ``seed`` always gives the same collection
(for a given ``wordfreq`` version). Names, phones and e-mails are fictitious.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from indexer.records import Practice

VOCABULARY_SIZE = 30_000

# (category, subcategories) as in data/practices; an empty tuple: no subcategory.
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Usługi społeczne",
        ("Kultura", "Pomoc społeczna", "Oświata", "Ochrona zdrowia", "Sport i rekreacja"),
    ),
    ("Usługi techniczne", ()),
    ("Rozwój instytucjonalny", ()),
    ("Efektywność energetyczna", ()),
    ("Współpraca JST-NGO", ()),
    ("Współpraca między JST", ()),
    ("Dialog społeczny", ()),
)

TOPIC_WORDS = {
    "Kultura": "biblioteka kultury ośrodek festiwal teatr muzeum czytelników zabytków",
    "Pomoc społeczna": "rodziny zastępcze mops gops pomocy społecznej seniorów bezrobotnych",
    "Oświata": "szkoła uczniów przedszkole nauczycieli edukacji gimnazjum zajęć",
    "Ochrona zdrowia": "zdrowia profilaktyki szpital pacjentów badań szczepień lekarzy",
    "Sport i rekreacja": "boisko sportu orlik basen rekreacji zawodów mieszkańców",
    "Usługi techniczne": "wodociągów kanalizacji dróg odpadów oczyszczalni inwestycji",
    "Rozwój instytucjonalny": "urzędu zarządzania jakości iso budżetu pracowników e-urząd",
    "Efektywność energetyczna": "energii termomodernizacja oze oświetlenia ciepła emisji",
    "Współpraca JST-NGO": "organizacji pozarządowych ngo stowarzyszeń dotacji wolontariuszy",
    "Współpraca między JST": "związku gmin porozumienia międzygminnego partnerstwa",
    "Dialog społeczny": "konsultacji społecznych mieszkańców rady budżetu partycypacyjnego",
}

# voivodeship -> (town, county, postal code) of real places.
GAZETTEER: dict[str, tuple[tuple[str, str, str], ...]] = {
    "dolnośląskie": (
        ("Wrocław", "Wrocław", "50-001"),
        ("Kłodzko", "kłodzki", "57-300"),
        ("Oleśnica", "oleśnicki", "56-400"),
        ("Bogatynia", "zgorzelecki", "59-920"),
    ),
    "kujawsko-pomorskie": (
        ("Bydgoszcz", "Bydgoszcz", "85-001"),
        ("Chełmno", "chełmiński", "86-200"),
        ("Lubiewo", "tucholski", "89-526"),
    ),
    "lubelskie": (
        ("Lublin", "Lublin", "20-001"),
        ("Puławy", "puławski", "24-100"),
        ("Włodawa", "włodawski", "22-200"),
        ("Janów Podlaski", "bialski", "21-505"),
    ),
    "lubuskie": (
        ("Zielona Góra", "Zielona Góra", "65-001"),
        ("Nowa Sól", "nowosolski", "67-100"),
        ("Drezdenko", "strzelecko-drezdenecki", "66-530"),
    ),
    "łódzkie": (
        ("Łódź", "Łódź", "90-001"),
        ("Kutno", "kutnowski", "99-300"),
        ("Sieradz", "sieradzki", "98-200"),
        ("Rogów", "brzeziński", "95-063"),
    ),
    "małopolskie": (
        ("Kraków", "Kraków", "30-001"),
        ("Nowy Targ", "nowotarski", "34-400"),
        ("Wieliczka", "wielicki", "32-020"),
        ("Zakopane", "tatrzański", "34-500"),
    ),
    "mazowieckie": (
        ("Warszawa", "Warszawa", "00-001"),
        ("Płock", "Płock", "09-400"),
        ("Ciechanów", "ciechanowski", "06-400"),
        ("Serock", "legionowski", "05-140"),
    ),
    "opolskie": (
        ("Opole", "Opole", "45-001"),
        ("Popielów", "opolski", "46-090"),
        ("Nysa", "nyski", "48-300"),
    ),
    "podkarpackie": (
        ("Rzeszów", "Rzeszów", "35-001"),
        ("Sanok", "sanocki", "38-500"),
        ("Ustrzyki Dolne", "bieszczadzki", "38-700"),
    ),
    "podlaskie": (
        ("Białystok", "Białystok", "15-001"),
        ("Augustów", "augustowski", "16-300"),
        ("Sejny", "sejneński", "16-500"),
    ),
    "pomorskie": (
        ("Gdańsk", "Gdańsk", "80-001"),
        ("Słupsk", "Słupsk", "76-200"),
        ("Kościerzyna", "kościerski", "83-400"),
        ("Puck", "pucki", "84-100"),
    ),
    "śląskie": (
        ("Katowice", "Katowice", "40-001"),
        ("Żory", "Żory", "44-240"),
        ("Cieszyn", "cieszyński", "43-400"),
        ("Ogrodzieniec", "zawierciański", "42-440"),
    ),
    "świętokrzyskie": (
        ("Kielce", "Kielce", "25-001"),
        ("Sandomierz", "sandomierski", "27-600"),
        ("Chęciny", "kielecki", "26-060"),
    ),
    "warmińsko-mazurskie": (
        ("Olsztyn", "Olsztyn", "10-001"),
        ("Ełk", "ełcki", "19-300"),
        ("Mrągowo", "mrągowski", "11-700"),
    ),
    "wielkopolskie": (
        ("Poznań", "Poznań", "60-001"),
        ("Kalisz", "Kalisz", "62-800"),
        ("Śrem", "śremski", "63-100"),
        ("Wronki", "szamotulski", "64-510"),
    ),
    "zachodniopomorskie": (
        ("Szczecin", "Szczecin", "70-001"),
        ("Kołobrzeg", "kołobrzeski", "78-100"),
        ("Barlinek", "myśliborski", "74-320"),
    ),
}

# unit type -> (weight, population range, implementing unit)
UNIT_TYPES: dict[str, tuple[int, tuple[int, int], str]] = {
    "gmina wiejska": (30, (2_000, 20_000), "Urząd Gminy"),
    "gmina miejsko-wiejska": (20, (5_000, 45_000), "Urząd Miasta i Gminy"),
    "gmina miejska": (18, (8_000, 120_000), "Urząd Miasta"),
    "miasto na prawach powiatu": (14, (40_000, 1_800_000), "Urząd Miasta"),
    "powiat": (14, (30_000, 350_000), "Starostwo Powiatowe"),
    "województwo": (4, (950_000, 5_400_000), "Urząd Marszałkowski"),
}

FIRST_NAMES = ("Anna", "Piotr", "Katarzyna", "Tomasz", "Agnieszka", "Marek", "Ewa", "Jan")
LAST_NAMES = ("Przykładowa", "Testowy", "Wzorcowa", "Próbny", "Fikcyjna", "Modelowy")
DATE_FIRST = dt.date(2008, 1, 1)
DATE_SPAN_DAYS = (dt.date(2013, 12, 31) - DATE_FIRST).days


@cache
def polish_vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The most frequent Polish word forms and their cumulative frequencies."""
    from wordfreq import get_frequency_dict

    frequencies = get_frequency_dict("pl")
    words = [w for w in frequencies if w.isalpha()][:VOCABULARY_SIZE]
    return tuple(words), tuple(itertools.accumulate(frequencies[w] for w in words))


def generate_practices(count: int, seed: int = 0) -> Iterator[Practice]:
    """``count`` practices, the same ones for the same seed."""
    rng = random.Random(seed)
    words, cumulative = polish_vocabulary()
    voivodeships = sorted(GAZETTEER)
    units = list(UNIT_TYPES)
    unit_weights = [UNIT_TYPES[u][0] for u in units]

    def sentence(low: int, high: int, topic: list[str]) -> str:
        drawn = rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high))
        for i in range(len(drawn)):
            if rng.random() < 0.06:
                drawn[i] = rng.choice(topic)
            elif rng.random() < 0.02:
                drawn[i] = str(rng.choice((rng.randint(1, 99), rng.randint(2008, 2013))))
        text = " ".join(drawn)
        return text[:1].upper() + text[1:] + "."

    def paragraph(sentences: int, topic: list[str]) -> str:
        return " ".join(sentence(6, 22, topic) for _ in range(sentences))

    for number in range(1, count + 1):
        category, subcategories = rng.choice(CATEGORIES)
        subcategory = rng.choice(subcategories) if subcategories else None
        topic = TOPIC_WORDS[subcategory or category].split()
        voivodeship = rng.choice(voivodeships)
        town, county, postal_code = rng.choice(GAZETTEER[voivodeship])
        unit_type = rng.choices(units, weights=unit_weights)[0]
        _weight, (low, high), office = UNIT_TYPES[unit_type]
        population = int(low * (high / low) ** rng.random())  # log-uniform
        added = DATE_FIRST + dt.timedelta(days=rng.randint(0, DATE_SPAN_DAYS))
        updated = added + dt.timedelta(days=rng.randint(0, 500)) if rng.random() < 0.6 else None
        slug = f"{town.lower().replace(' ', '-')}{number}"
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        yield Practice(
            id=f"syn-{seed}-{number:06d}",
            title=sentence(5, 16, topic).rstrip("."),
            category=category,
            subcategory=subcategory,
            summary=paragraph(rng.randint(3, 7), topic),
            body="\n\n".join(paragraph(rng.randint(2, 6), topic) for _ in range(rng.randint(2, 6))),
            unit_type=unit_type,
            town=town,
            county=county,
            voivodeship=voivodeship,
            postal_code=postal_code,
            implementing_unit=f"{office} {town}",
            street=f"ul. {rng.choice(words).capitalize()} {rng.randint(1, 120)}",
            phones=(f"555 {rng.randint(100, 999)} {rng.randint(100, 999)}",),
            websites=(f"www.{slug}.example.pl",),
            emails=(f"sekretariat@{slug}.example.pl",),
            population=population,
            contacts=(person, f"tel. 555 {rng.randint(100, 999)} {rng.randint(100, 999)}"),
            date_added=added.isoformat(),
            date_updated=updated.isoformat() if updated else None,
            source="synthetic",
        )


def write_collection(path: Path | str, count: int, seed: int = 0) -> Path:
    """Write ``count`` practices as canonical JSON Lines (what ``bdp index build`` reads)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for practice in generate_practices(count, seed):
            handle.write(practice.to_json())
            handle.write("\n")
    return path
