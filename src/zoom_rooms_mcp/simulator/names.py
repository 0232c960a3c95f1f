"""Name pools and the fixed anchor sites of the simulated fleet.

The anchors are a contract: other tests and the demo prompts refer to them by name
("Seattle building 2 floor 3", "Everest", "München"), so they exist for every seed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Site:
    """One campus with its place in the world; ``buildings`` are (name, number of floors)."""

    country: str
    state: str
    city: str
    campus: str
    timezone: str
    code: str
    street: str
    buildings: tuple[tuple[str, int], ...]


ANCHOR_SITES: tuple[Site, ...] = (
    Site(
        "United States",
        "Washington",
        "Seattle",
        "Lake Union Campus",
        "America/Los_Angeles",
        "SEA",
        "Dexter Ave N",
        (("Building 1", 4), ("Building 2", 4), ("Building 3", 4)),
    ),
    Site(
        "United States",
        "Colorado",
        "Denver",
        "Tech Center Campus",
        "America/Denver",
        "DEN",
        "E Belleview Ave",
        (("Building 1", 3), ("Building 2", 3)),
    ),
    Site(
        "United States",
        "California",
        "San José",
        "HQ Campus",
        "America/Los_Angeles",
        "SJC",
        "N First St",
        (("Building 1", 3),),
    ),
    # Building C has no floors and no rooms yet: a site still being fitted out.
    Site(
        "Germany",
        "Bayern",
        "München",
        "Munich Campus",
        "Europe/Berlin",
        "MUC",
        "Leopoldstraße",
        (("Building A", 3), ("Building B", 3), ("Building C", 0)),
    ),
    Site(
        "United Kingdom",
        "England",
        "London",
        "King's Cross Campus",
        "Europe/London",
        "LON",
        "Pancras Square",
        (("Building 1", 3),),
    ),
    Site(
        "Canada",
        "Québec",
        "Montréal",
        "Old Port Campus",
        "America/Toronto",
        "YUL",
        "Rue de la Commune O",
        (("Building 1", 2),),
    ),
)

# (country, state, city, timezone, code, street) for the extra sites of larger fleets.
EXTRA_CITIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("United States", "Texas", "Austin", "America/Chicago", "AUS", "Congress Ave"),
    ("United States", "New York", "New York City", "America/New_York", "NYC", "Hudson Yards"),
    ("United States", "Illinois", "Chicago", "America/Chicago", "CHI", "W Wacker Dr"),
    ("United States", "Massachusetts", "Boston", "America/New_York", "BOS", "Seaport Blvd"),
    ("United States", "Georgia", "Atlanta", "America/New_York", "ATL", "Peachtree St NE"),
    ("United States", "Oregon", "Portland", "America/Los_Angeles", "PDX", "NW Naito Pkwy"),
    ("United States", "North Carolina", "Raleigh", "America/New_York", "RDU", "Fayetteville St"),
    ("United States", "Arizona", "Phoenix", "America/Phoenix", "PHX", "E Camelback Rd"),
    ("United States", "Minnesota", "Minneapolis", "America/Chicago", "MSP", "Nicollet Mall"),
    ("United States", "Florida", "Miami", "America/New_York", "MIA", "Brickell Ave"),
    ("Germany", "Berlin", "Berlin", "Europe/Berlin", "BER", "Friedrichstraße"),
    ("Germany", "Hamburg", "Hamburg", "Europe/Berlin", "HAM", "Am Sandtorkai"),
    ("Germany", "Hessen", "Frankfurt am Main", "Europe/Berlin", "FRA", "Mainzer Landstraße"),
    ("Germany", "Nordrhein-Westfalen", "Köln", "Europe/Berlin", "CGN", "Rheinauhafen"),
    ("Germany", "Baden-Württemberg", "Stuttgart", "Europe/Berlin", "STR", "Königstraße"),
    ("United Kingdom", "Scotland", "Edinburgh", "Europe/London", "EDI", "Quartermile"),
    ("United Kingdom", "England", "Manchester", "Europe/London", "MAN", "Spinningfields"),
    ("United Kingdom", "Wales", "Cardiff", "Europe/London", "CWL", "Central Square"),
    ("Canada", "Ontario", "Toronto", "America/Toronto", "YYZ", "Front St W"),
    ("Canada", "British Columbia", "Vancouver", "America/Vancouver", "YVR", "W Georgia St"),
    ("Canada", "Québec", "Québec City", "America/Toronto", "YQB", "Boulevard Laurier"),
    ("France", "Île-de-France", "Paris", "Europe/Paris", "PAR", "Rue de Rivoli"),
    ("France", "Auvergne-Rhône-Alpes", "Lyon", "Europe/Paris", "LYS", "Cours Lafayette"),
    ("Japan", "Tokyo", "Tokyo", "Asia/Tokyo", "TYO", "Marunouchi"),
    ("Japan", "Osaka", "Osaka", "Asia/Tokyo", "KIX", "Umeda"),
    ("Australia", "New South Wales", "Sydney", "Australia/Sydney", "SYD", "Barangaroo Ave"),
    ("Australia", "Victoria", "Melbourne", "Australia/Melbourne", "MEL", "Collins St"),
    ("India", "Karnataka", "Bengaluru", "Asia/Kolkata", "BLR", "Outer Ring Rd"),
    ("India", "Maharashtra", "Mumbai", "Asia/Kolkata", "BOM", "Bandra Kurla Complex"),
    ("Netherlands", "Noord-Holland", "Amsterdam", "Europe/Amsterdam", "AMS", "Zuidas"),
    ("Spain", "Cataluña", "Barcelona", "Europe/Madrid", "BCN", "Carrer de Pujades"),
    ("Spain", "Comunidad de Madrid", "Madrid", "Europe/Madrid", "MAD", "Paseo de la Castellana"),
    ("Sweden", "Stockholms län", "Stockholm", "Europe/Stockholm", "STO", "Regeringsgatan"),
    ("Brazil", "São Paulo", "São Paulo", "America/Sao_Paulo", "SAO", "Avenida Paulista"),
    ("Mexico", "Ciudad de México", "Ciudad de México", "America/Mexico_City", "MEX", "Paseo de la Reforma"),
    ("Singapore", "Central Region", "Singapore", "Asia/Singapore", "SIN", "Marina Boulevard"),
    ("Switzerland", "Zürich", "Zürich", "Europe/Zurich", "ZRH", "Bahnhofstrasse"),
    ("Poland", "Mazowieckie", "Warszawa", "Europe/Warsaw", "WAW", "Prosta"),
    ("Ireland", "Leinster", "Dublin", "Europe/Dublin", "DUB", "Grand Canal Quay"),
)

CAMPUS_NAMES: tuple[str, ...] = (
    "Riverside Campus",
    "Harbor Campus",
    "Downtown Campus",
    "Airport Campus",
    "Parkside Campus",
    "Lakeside Campus",
    "Midtown Campus",
    "Westgate Campus",
    "Eastside Campus",
    "North Point Campus",
    "Southbank Campus",
    "Hillside Campus",
    "Gateway Campus",
    "Meridian Campus",
    "Station Campus",
    "Canal Campus",
    "Bayview Campus",
    "Innovation Park Campus",
)

ANCHOR_ROOMS: dict[str, tuple[str, str, str]] = {
    # room name -> (city, building, floor)
    "Everest": ("Seattle", "Building 2", "Floor 3"),
    "Denali": ("Denver", "Building 2", "Floor 3"),
}

# Natural names (mountains, lakes, rivers, glaciers, islands, parks, falls); none equals a location name.
ROOM_NAMES: tuple[str, ...] = tuple(
    """
Aconcagua|Ama Dablam|Annapurna|Ararat|Baker|Ben Nevis|Mont Blanc|Cho Oyu|Chimborazo|Cotopaxi|Dhaulagiri|Eiger
Elbrus|Erebus|Fitz Roy|Fuji|Hood|Jungfrau|K2|Kangchenjunga|Kenya|Kilimanjaro|Kinabalu|Kosciuszko|Lhotse|Logan
Makalu|Manaslu|Matterhorn|Mönch|Nanga Parbat|Olympus|Rainier|Shasta|Shishapangma|Elbert|Whitney|Zugspitze
Vinson|Triglav|Toubkal|Etna|Vesuvius|Stromboli|Hekla|Katla|Teide|Aoraki|Ruapehu|Tasman|Robson|Assiniboine
Blackburn|Saint Elias|Sanford|Foraker|Hunter|Orizaba|Popocatépetl|Iztaccíhuatl|Huascarán|Illimani|Sajama
Ojos del Salado|Tupungato|Pissis|Mercedario|Llullaillaco|Parinacota|Kazbek|Ushba|Damavand|Musala|Gerlach
Rysy|Sněžka|Grossglockner|Dachstein|Ortler|Piz Bernina|Dufourspitze|Weisshorn|Gran Paradiso|Monte Rosa
Pelvoux|Aneto|Mulhacén|Pico|Snowdon|Scafell|Helvellyn|Ben Macdui|Carrauntoohil|Galdhøpiggen|Kebnekaise
Halti|Tajumulco|Chirripó|Pico Duarte|Mauna Kea|Mauna Loa|Haleakalā|Wilhelm|Puncak Jaya|Kerinci|Rinjani
Semeru|Bromo|Apo|Pinatubo|Mayon|Hallasan|Yushan|Kailash|Rwenzori|Elgon|Ras Dashen|Emi Koussi|Cameroon
Baikal|Tahoe|Superior|Michigan|Huron|Erie|Tanganyika|Malawi|Titicaca|Geneva|Como|Garda|Maggiore|Lucerne
Constance|Bled|Ohrid|Balaton|Ladoga|Onega|Vänern|Vättern|Saimaa|Inari|Mälaren|Windermere|Ness|Lomond
Tekapo|Wakatipu|Taupō|Louise|Moraine|Crater|Chelan|Champlain|Placid|Winnipeg|Great Bear|Great Slave
Nicaragua|Atitlán|Chapala|Kivu|Turkana|Volta|Toba|Inle|Issyk-Kul|Khanka|Qinghai|Biwa|Ashi|Towada|Sevan
Urmia|Tana|Kariba|Nasser|Eyre|Königssee|Wörthersee|Chiemsee|Starnberg|Ammersee|Tegernsee|Hallstatt
Annecy|Bourget|Trasimeno|Bolsena|Iseo|Orta|Lugano|Thun|Brienz|Walensee|Sils|Plitvice|Amazon|Nile|Yangtze
Mississippi|Missouri|Danube|Rhine|Rhône|Seine|Loire|Thames|Volga|Ganges|Indus|Mekong|Zambezi|Congo|Niger
Orinoco|Paraná|Columbia|Hudson|Yukon|Fraser|Mackenzie|Snake|Rio Grande|Potomac|Shenandoah|Delaware|Ohio
Tennessee|Arkansas|Platte|Brazos|Sacramento|Willamette|Skagit|Elbe|Oder|Vistula|Dnieper|Don|Ural|Ob
Yenisei|Lena|Amur|Tigris|Euphrates|Jordan|Limpopo|Orange|Murray|Darling|Waikato|Clutha|Shannon|Liffey
Severn|Trent|Tyne|Tay|Spey|Douro|Tagus|Ebro|Guadalquivir|Po|Tiber|Arno|Adige|Inn|Isar|Mosel|Neckar
Ruhr|Weser|Ems|Garonne|Dordogne|Meuse|Scheldt|Drava|Sava|Tisza|Prut|Dniester|Neva|Kama|Oka|Irtysh
Salween|Irrawaddy|Brahmaputra|Yamuna|Godavari|Krishna|Kaveri|Narmada|Chao Phraya|Pearl|Sumida|Shinano
Tone|Aletsch|Vatnajökull|Perito Moreno|Hubbard|Mendenhall|Jostedal|Fox|Franz Josef|Sahara|Gobi|Atacama
Mojave|Namib|Kalahari|Sonoran|Patagonia|Serengeti|Yosemite|Zion|Acadia|Olympic|Sequoia|Redwood|Arches
Bryce|Grand Teton|Yellowstone|Banff|Jasper|Kootenay|Yoho|Fiordland|Milford|Geiranger|Sognefjord|Iguazu
Niagara|Angel|Kaieteur|Skógafoss|Gullfoss|Dettifoss|Havasu|Multnomah|Galápagos|Madeira|Azores|Tenerife
Capri|Corsica|Sardinia|Sicily|Crete|Rhodes|Santorini|Mykonos|Skye|Mull|Iona|Orkney|Shetland|Faroe
Svalbard|Lofoten|Gotland|Bornholm|Sylt|Rügen|Hokkaido|Okinawa|Bali|Java|Borneo|Tasmania|Fiji|Tahiti
Maui|Kauai|Oahu|Baffin|Ellesmere|Newfoundland|Nantucket|Kodiak|Aleutian|Hebrides|Cyclades|Dolomites
Carpathia|Pyrenees|Cascades|Sierra|Appalachia|Ozark|Catskill|Adirondack|Teton|Wasatch|Uinta|Absaroka
Bitterroot|Sawtooth|Selkirk|Purcell|Cariboo|Monashee|Chugach|Wrangell|Brooks|Alaska Range|Andes|Atlas
Zagros|Pamir|Tian Shan|Altai|Karakoram|Hindu Kush|Drakensberg|Simien|Ahaggar|Tibesti|Vosges|Jura|Tatra
Balkan|Rhodope|Apennine|Caucasus|Sudetes|Harz|Eifel|Taunus|Black Forest|Bavarian Forest|Ardennes|Cévennes
Morvan|Cairngorm|Snowdonia|Dartmoor|Exmoor|Peak|Lake District|Connemara|Burren|Kerry|Mourne|Sperrin
Ochil|Pentland|Cheviot|Malvern|Cotswold|Chiltern|Mendip|Quantock|Wicklow|Galtee|Blue Ridge|Smoky
Great Basin|Badlands|Black Hills|Big Sur|Death Valley|Joshua Tree|Everglades|Glacier Bay|Katmai|Kenai
""".replace("\n", "|")
    .strip("|")
    .split("|")
)

PEOPLE: tuple[str, ...] = (
    "Dana Lee",
    "Sam Ortiz",
    "Priya Natarajan",
    "Jonas Müller",
    "Chloé Dubois",
    "Kenji Watanabe",
    "Amara Okafor",
    "Liam O'Connor",
    "Sofia Rossi",
    "Mateus Silva",
    "Ingrid Larsen",
    "Noah Cohen",
)
DEPARTMENTS: tuple[str, ...] = ("Engineering", "Sales", "Marketing", "Finance", "Operations", "People", "Legal")
TOPICS: tuple[str, ...] = (
    "Weekly Ops",
    "Sprint review",
    "Customer call",
    "All hands",
    "1:1",
    "Design critique",
    "Quarterly planning",
    "Interview",
    "Vendor sync",
    "Standup",
)
