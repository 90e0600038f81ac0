"""Built-in vocabularies for company matching: legal forms, generic words, free e-mail domains."""

from __future__ import annotations

# Legal forms, written as they look after normalisation (lower case, accents folded, punctuation
# removed, "&" -> "and", runs of single letters joined: "S.p.A." -> "spa", "sp. z o.o." -> "sp zoo").
_LEGAL_FORM_LINES = """
inc|incorporated|corp|corporation|co|company|cos|ltd|limited|llc|llp|lp|lllp|pllc|plc|pty|pte|pvt
bhd|berhad|sdn|tbk|pcl|ltda|lda|sl|slu|sa|sau|sas|sasu|sarl|eurl|sca|scs|snc|sce|se|ag|gmbh|mbh|kg
kgaa|ohg|ug|eg|ab|abp|publ|asa|as|aps|oy|oyj|hf|ehf|nv|bv|cv|vof|bvba|sprl|cvba|spa|srl|sapa|scarl
scpa|sro|spol|kft|zrt|nyrt|rt|doo|dd|ad|ead|ood|jsc|ojsc|cjsc|pjsc|ooo|oao|zao|pao|tov|sal|saog
saoc|qsc|qpsc|wll|fze|fzco|fzc|kk|gk|yk|sab|sapi|sac|saa|saic|saci|sacif|sgps|sti|sk|ks|ky|tas
co ltd|co inc|co llc|co kg|co kgaa|and co|and co kg|and co kgaa|gmbh and co kg|gmbh and co kgaa
ag and co kg|ag and co kgaa|se and co kg|se and co kgaa|gmbh co kg|ag co kgaa|sp zoo|sp z oo
public limited company|public company limited|public company|limited liability company
limited partnership|private limited|pvt ltd|pte ltd|pty ltd|sdn bhd|co pvt ltd|ltd sti|sa de cv
sab de cv|sapi de cv|s de rl|s de rl de cv|de cv|limited liability partnership|limited company
aktiengesellschaft|aktiebolag|aktiebolaget|aktieselskab|aksjeselskap|allmennaksjeselskap
osakeyhtio|julkinen osakeyhtio|naamloze vennootschap|besloten vennootschap|kommanditgesellschaft
gesellschaft mit beschrankter haftung|kommanditgesellschaft auf aktien|europaische aktiengesellschaft
societas europaea|societe europeenne|societe anonyme|societe par actions simplifiee
societe a responsabilite limitee|societe en commandite par actions|sociedad anonima|sociedad limitada
sociedad anonima bursatil|sociedade anonima|societa per azioni|societa a responsabilita limitata
anonim sirketi|limited sirketi|spolka akcyjna|spolka z ograniczona odpowiedzialnoscia
akciova spolecnost|kabushiki kaisha|kabushiki gaisha|yugen kaisha|godo kaisha|incorporation
"""

#: Every legal form as a tuple of tokens.
LEGAL_FORMS: frozenset[tuple[str, ...]] = frozenset(
    tuple(form.split())
    for line in _LEGAL_FORM_LINES.strip().splitlines()
    for form in line.split("|")
    if form.strip()
)

#: Longest legal form, in tokens.
MAX_LEGAL_FORM_LEN: int = max(len(form) for form in LEGAL_FORMS)

#: Legal forms unambiguous enough to be dropped in the middle of a name ("Sojitz Corp. Tokyo").
INNER_LEGAL_FORMS: frozenset[str] = frozenset(
    """inc incorporated corp corporation ltd limited llc plc gmbh ag kgaa nv bv spa srl sarl oyj
    pte pty bhd tbk sa""".split()
)

#: Legal forms that may open a name ("PT Astra", "AB Volvo", "OOO Gazprom").
LEADING_LEGAL_FORMS: frozenset[str] = frozenset("pt ab ooo oao zao pao pjsc ojsc jsc tov".split())

#: Long legal-form words; a token within one typo of these is a legal form too.
FUZZY_LEGAL_WORDS: frozenset[str] = frozenset(
    "incorporated corporation company limited aktiengesellschaft aktiebolag incorporation".split()
)

#: Legal forms written in CJK scripts, removed as substrings at either end of the name.
CJK_LEGAL_FORMS: tuple[str, ...] = (
    "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "株式会社", "有限会社", "合同会社",
    "合資会社", "合名会社", "特定目的会社", "주식회사", "유한회사", "(주)", "（주）", "㈱", "(株)", "（株）",
    "公司",
)

_GENERIC_WORDS: frozenset[str] = frozenset(
    """
    group groupe gruppe grupo holding holdings international intl global worldwide industries industry
    industrial technologies technology tech systems system services service solutions enterprises
    enterprise partners partner capital financial finance bank banc bancorp bancshares bankshares
    banking trust investment investments invest insurance assurance energy power resources oil gas
    mining minerals pharmaceuticals pharmaceutical pharma therapeutics biosciences bioscience bio health
    healthcare medical software data digital media communications communication telecom networks
    network electric electrical electronics motor motors auto automotive steel chemical chemicals food
    foods products product brands manufacturing properties property realty estate real reit logistics
    transport transportation airlines airways air national american america first general united new
    north south east west northern southern eastern western central pacific atlantic asia asian europe
    euro european china chinese japan india indian royal great city development developments
    management asset assets fund funds ventures labs laboratories research sciences science
    engineering construction materials trading consulting marketing retail stores store home homes
    mutual savings federal state life care consolidated associates partnership investors equity
    infrastructure utilities water environmental energies petroleum metals precious gold silver
    semiconductor semiconductors devices instruments equipment machinery tools holdco bancorporation
    commerce commercial securities credit loan lending mortgage acquisition acquisitions corp ii iii
    information info st koninklijke brothers center associates companies reit
    the and of de la le del der die das des du et y e da do und van von fur
    """.split()
)

#: Spellings of generic words mapped to one form ("Bancorp" / "Bank", "Holding" / "Holdings", "Intl").
CANONICAL_WORDS: dict[str, str] = {
    "bancorp": "bank", "bancorporation": "bank", "bancshares": "bank", "bankshares": "bank", "banc": "bank",
    "banking": "bank", "holding": "holdings", "hldgs": "holdings", "hldg": "holdings",
    "technology": "technologies", "tech": "technologies", "intl": "international", "natl": "national",
    "mfg": "manufacturing", "svcs": "services", "service": "services", "grp": "group", "groupe": "group",
    "gruppe": "group", "grupo": "group", "gruppo": "group", "pharmaceutical": "pharmaceuticals",
    "pharma": "pharmaceuticals", "labs": "laboratories", "laboratory": "laboratories", "lab": "laboratories",
    "industry": "industries", "product": "products", "system": "systems", "solution": "solutions",
    "enterprise": "enterprises", "resource": "resources", "property": "properties",
    "investment": "investments", "communication": "communications", "electronic": "electronics",
    "chemical": "chemicals", "motor": "motors", "food": "foods", "brand": "brands", "partner": "partners",
    "network": "networks", "store": "stores", "semiconductor": "semiconductors",
    "therapeutic": "therapeutics", "bioscience": "biosciences", "science": "sciences",
    "utility": "utilities", "material": "materials", "energies": "energy", "mgmt": "management",
    "bros": "brothers", "centre": "center", "saint": "st", "ste": "st", "assoc": "associates",
}

#: Words too common in company names to identify one; they weigh less when the index is small.
GENERIC_WORDS: frozenset[str] = _GENERIC_WORDS | frozenset(CANONICAL_WORDS.values())

#: Short words left out of acronyms.
ACRONYM_STOPWORDS: frozenset[str] = frozenset(
    "and of the de la le del der die das des du et y e da do und van von fur".split()
)

#: Words that mark a qualifier (site, office) rather than a name.
QUALIFIER_WORDS: frozenset[str] = frozenset("hq headquarters".split())

#: Free e-mail domains: never a company's domain.
FREE_EMAIL_DOMAINS: frozenset[str] = frozenset(
    """
    gmail.com googlemail.com outlook.com hotmail.com live.com msn.com passport.com windowslive.com
    yahoo.com ymail.com rocketmail.com aol.com aim.com icloud.com me.com mac.com proton.me pm.me
    protonmail.com protonmail.ch tutanota.com tutanota.de tuta.io tuta.com gmx.com gmx.net gmx.de
    web.de t-online.de freenet.de arcor.de posteo.de mailbox.org mail.ru inbox.ru list.ru bk.ru
    internet.ru yandex.ru yandex.com ya.ru rambler.ru qq.com foxmail.com 163.com 126.com yeah.net
    188.com 139.com sina.com sina.cn sohu.com aliyun.com naver.com daum.net hanmail.net nate.com
    rediffmail.com zoho.com zohomail.com mail.com email.com usa.com hushmail.com fastmail.com
    fastmail.fm libero.it virgilio.it tiscali.it alice.it tin.it orange.fr wanadoo.fr free.fr
    laposte.net sfr.fr neuf.fr bluewin.ch seznam.cz centrum.cz wp.pl o2.pl onet.pl interia.pl abv.bg
    ukr.net bigpond.com optusnet.com.au btinternet.com sky.com talktalk.net virginmedia.com
    comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net earthlink.net
    shaw.ca rogers.com sympatico.ca uol.com.br bol.com.br terra.com.br ig.com.br terra.es
    telefonica.net yopmail.com mailinator.com guerrillamail.com sharklasers.com temp-mail.org
    10minutemail.com trashmail.com gmx.at gmx.ch gmx.fr kakao.com hey.com duck.com
    """.split()
)

#: Free e-mail providers present under many country endings (hotmail.fr, yahoo.co.jp, gmx.at).
FREE_EMAIL_LABELS: frozenset[str] = frozenset(
    "gmail googlemail hotmail outlook live yahoo ymail gmx yandex aol icloud protonmail msn".split()
)

#: Two-level public suffixes (a small built-in subset of the Public Suffix List).
PUBLIC_SUFFIXES_2: frozenset[str] = frozenset(
    """
    co.uk org.uk ac.uk gov.uk ltd.uk plc.uk me.uk net.uk sch.uk nhs.uk com.au net.au org.au edu.au
    gov.au asn.au id.au co.jp ne.jp or.jp ac.jp go.jp gr.jp ed.jp ad.jp lg.jp co.nz org.nz net.nz
    govt.nz ac.nz co.za org.za gov.za ac.za com.br net.br org.br gov.br com.cn net.cn org.cn gov.cn
    edu.cn ac.cn com.hk org.hk net.hk edu.hk gov.hk com.tw org.tw net.tw idv.tw gov.tw co.kr or.kr
    ne.kr ac.kr go.kr co.in net.in org.in firm.in gen.in ind.in ac.in gov.in com.sg org.sg net.sg
    edu.sg gov.sg com.my org.my net.my co.id or.id ac.id go.id co.th or.th in.th ac.th go.th com.mx
    org.mx gob.mx com.ar org.ar gob.ar com.tr org.tr gov.tr com.sa org.sa com.eg co.il org.il ac.il
    com.ph org.ph com.vn net.vn com.pk com.ng co.ke com.co com.pe com.ve com.uy com.ec com.bo com.py
    co.at or.at ac.at com.pl net.pl org.pl com.ua co.ua com.ru com.gr com.cy com.mt com.pt co.hu
    com.qa com.kw com.bh com.om co.ae ac.ae gov.ae com.lb com.jo co.ma com.tn com.gh co.tz co.ug
    com.bd com.lk com.np com.kh com.mm com.sv com.gt com.pa com.do com.pr co.cr com.cu co.nl co.no
    github.io gitlab.io herokuapp.com blogspot.com wixsite.com myshopify.com azurewebsites.net
    cloudfront.net appspot.com netlify.app vercel.app pages.dev web.app firebaseapp.com
    wordpress.com squarespace.com sharepoint.com amazonaws.com
    """.split()
)

#: Country names and aliases by ISO 3166 alpha-2 code, as normalised token strings.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("united states", "united states of america", "usa", "us", "america"),
    "GB": ("united kingdom", "uk", "great britain", "britain", "england", "scotland", "wales"),
    "DE": ("germany", "deutschland"), "FR": ("france",), "IT": ("italy", "italia"),
    "ES": ("spain", "espana"), "NL": ("netherlands", "nederland", "holland"),
    "BE": ("belgium", "belgique", "belgie"), "LU": ("luxembourg",), "CH": ("switzerland", "schweiz", "suisse"),
    "AT": ("austria", "osterreich"), "SE": ("sweden", "sverige"), "NO": ("norway", "norge"),
    "DK": ("denmark", "danmark"), "FI": ("finland", "suomi"), "IE": ("ireland",), "PT": ("portugal",),
    "PL": ("poland", "polska"), "CZ": ("czech republic", "czechia"), "GR": ("greece",),
    "JP": ("japan", "nippon"), "CN": ("china", "prc"), "HK": ("hong kong",), "TW": ("taiwan",),
    "KR": ("korea", "south korea"), "IN": ("india",), "SG": ("singapore",), "MY": ("malaysia",),
    "ID": ("indonesia",), "TH": ("thailand",), "VN": ("vietnam", "viet nam"), "PH": ("philippines",),
    "AU": ("australia",), "NZ": ("new zealand",), "CA": ("canada",), "MX": ("mexico",),
    "BR": ("brazil", "brasil"), "AR": ("argentina",), "CL": ("chile",), "CO": ("colombia",),
    "PE": ("peru",), "ZA": ("south africa",), "IL": ("israel",), "TR": ("turkey", "turkiye"),
    "RU": ("russia",), "AE": ("uae", "united arab emirates"), "SA": ("saudi arabia",),
    "EG": ("egypt",), "NG": ("nigeria",), "PK": ("pakistan",), "RO": ("romania",), "HU": ("hungary",),
    "BG": ("bulgaria",), "UA": ("ukraine",), "KY": ("cayman islands",), "BM": ("bermuda",),
}
