"""The literal content of the demo data: a fictitious Cooperation Framework ("Demoland (demo data)").

Names, the results framework, SDG targets, partners, narratives, indicators, the management response and
the work plans (costed; one by pillar) that demo/generate.py writes into the three workbooks a UN Country
Team would upload (SPEC §2.1b, §2.2, §2.3). Every name a user sees says it is demo data. The structures,
words and agency mixes follow the public documents the product was designed from (UN INFO exports, the
management response of the UN Women strategic partnerships evaluation, the IASC Results Group 1 work plan);
no row of those documents is copied.
"""

from __future__ import annotations

import datetime as dt

DEMO_COUNTRY = "Demoland (demo data)"
DEMO_PLAN = "DEMO — UN Sustainable Development Cooperation Framework 2023–2027 (demo data)"
DEMO_EVALUATION = "Evaluation of UN Women strategic partnerships on gender equality and women's empowerment (demo data)"
DEMO_WORKPLAN = (
    "DEMO — Results Group 1 on Governance, Protection and Operational Response: joint work plan 2025–2027 (demo data)"
)

BUDGET_FILE = "demo_uninfo_budget.xlsx"
INDICATORS_FILE = "demo_indicators.xlsx"
ACTIONS_FILE = "demo_actions.xlsx"

#: the date the demo UN INFO export was taken (its sheet is named after it)
EXPORT_DATE = dt.date(2026, 6, 30)

UNINFO_YEARS = tuple(range(2016, 2029))
FILLED_YEARS = tuple(range(2023, 2028))
MEASURES = ("Required", "Available", "Expenditure")

#: the header row of a real UN INFO Data Explorer export (93 columns), in its order
UNINFO_HEADER: tuple[str, ...] = (
    "Country",
    "Plan name",
    "Strategic priority code",
    "Strategic priority",
    "Outcome code",
    "Outcome",
    "Output code",
    "Output",
    "Sub-Output publication status",
    "Sub-Output code",
    "Sub-Output",
    "ID",
    "Description",
    "Start date",
    "End date",
    "Status",
    "Joint Programmes / Initiatives names",
    "Joint Programmes / Initiatives types",
    "Agency abbreviations",
    "Agencies",
    "Contributing partners",
    "Implementation partners",
    "SDG Targets",
    "SDG Goals",
    "Geography",
    "QCPR function",
    "Humanitarian marker",
    "Humanitarian marker narrative",
    "Gender marker",
    "Gender marker narrative",
    "Human rights marker",
    "Suboutput also contributes to the following outputs",
    "Human rights marker narrative",
    "Sustaining peace marker",
    "Sustaining peace marker narrative",
    "LNOB groups targeted",
    "Focal users",
    "Non Monetary Assistance",
    "Total required resources",
    "Total available resources",
    "Total expenditure resources",
) + tuple(f"{year} {part}" for year in UNINFO_YEARS for part in (*MEASURES, "Narrative"))

# --- UN entities as UN INFO spells them -------------------------------------------------------------
AGENCY_NAMES = {
    "UNDP": "United Nations Development Programme",
    "UNICEF": "United Nations Children's Fund",
    "UNFPA": "United Nations Population Fund",
    "UN Women": "UN Women",
    "WHO": "World Health Organization",
    "FAO": "Food and Agriculture Organization of the United Nations",
    "ILO": "International Labour Organisation",
    "UNESCO": "United Nations Educational, Scientific and Cultural Organisation",
    "WFP": "United Nations World Food Programme",
    "IOM": "International Organization for Migration",
    "OHCHR": "United Nations High Commissioner for Human Rights",
    "UNODC": "United Nations Office on Drugs and Crime",
    "UNEP": "United Nations Environment Programme",
    "UN-HABITAT": "United Nations Human Settlement Programme",
}
#: relative size of an agency's typical sub-output budget
AGENCY_SCALE = {
    "WFP": 2.2,
    "UNICEF": 1.6,
    "UNDP": 1.5,
    "FAO": 1.2,
    "WHO": 1.2,
    "UNFPA": 1.0,
    "IOM": 1.0,
    "ILO": 0.7,
    "UNESCO": 0.6,
    "UN Women": 0.7,
    "UNEP": 0.8,
    "UN-HABITAT": 0.7,
    "OHCHR": 0.45,
    "UNODC": 0.6,
}

# --- SDG targets (public UN wording) ----------------------------------------------------------------
SDG_GOALS = {
    1: "1 No Poverty",
    2: "2 Zero Hunger",
    3: "3 Good Health and Well-being",
    4: "4 Quality Education",
    5: "5 Gender Equality",
    6: "6 Clean Water and Sanitation",
    7: "7 Affordable and Clean Energy",
    8: "8 Decent Jobs and Economic Growth",
    10: "10 Reduced Inequalities",
    11: "11 Sustainable Cities and Communities",
    13: "13 Climate Action",
    15: "15 Life on Land",
    16: "16 Peace and Justice - Strong Institutions",
    17: "17 Partnerships for the Goals",
}
SDG_TARGETS = {
    "1.3": "1.3 Implement nationally appropriate social protection systems and measures for all, including "
    "floors, and by 2030 achieve substantial coverage of the poor and the vulnerable.",
    "2.1": "2.1 By 2030, end hunger and ensure access by all people, in particular the poor and people in "
    "vulnerable situations, including infants, to safe, nutritious and sufficient food all year round.",
    "2.2": "2.2 By 2030, end all forms of malnutrition, including achieving, by 2025, the internationally "
    "agreed targets on stunting and wasting in children under 5 years of age.",
    "2.3": "2.3 By 2030, double the agricultural productivity and incomes of small-scale food producers, in "
    "particular women, indigenous peoples, family farmers, pastoralists and fishers.",
    "2.4": "2.4 By 2030, ensure sustainable food production systems and implement resilient agricultural "
    "practices that increase productivity and production.",
    "3.1": "3.1 By 2030, reduce the global maternal mortality ratio to less than 70 per 100,000 live births.",
    "3.2": "3.2 By 2030, end preventable deaths of newborns and children under 5 years of age.",
    "3.7": "3.7 By 2030, ensure universal access to sexual and reproductive health-care services, including "
    "for family planning, information and education.",
    "3.8": "3.8 Achieve universal health coverage, including financial risk protection, access to quality "
    "essential health-care services and access to safe, effective, quality and affordable essential "
    "medicines and vaccines for all.",
    "4.1": "4.1 By 2030, ensure that all girls and boys complete free, equitable and quality primary and "
    "secondary education leading to relevant and effective learning outcomes.",
    "4.4": "4.4 By 2030, substantially increase the number of youth and adults who have relevant skills, "
    "including technical and vocational skills, for employment, decent jobs and entrepreneurship.",
    "4.5": "4.5 By 2030, eliminate gender disparities in education and ensure equal access to all levels of "
    "education and vocational training for the vulnerable.",
    "5.2": "5.2 Eliminate all forms of violence against all women and girls in the public and private "
    "spheres, including trafficking and sexual and other types of exploitation.",
    "5.3": "5.3 Eliminate all harmful practices, such as child, early and forced marriage and female "
    "genital mutilation.",
    "5.5": "5.5 Ensure women's full and effective participation and equal opportunities for leadership at "
    "all levels of decision-making in political, economic and public life",
    "5.c": "5.c Adopt and strengthen sound policies and enforceable legislation for the promotion of gender "
    "equality and the empowerment of all women and girls at all levels.",
    "6.1": "6.1 By 2030, achieve universal and equitable access to safe and affordable drinking water for all.",
    "7.2": "7.2 By 2030, increase substantially the share of renewable energy in the global energy mix.",
    "8.3": "8.3 Promote development-oriented policies that support productive activities, decent job "
    "creation, entrepreneurship, creativity and innovation.",
    "8.5": "8.5 By 2030, achieve full and productive employment and decent work for all women and men, "
    "including for young people and persons with disabilities, and equal pay for work of equal value.",
    "8.8": "8.8 Protect labour rights and promote safe and secure working environments for all workers, "
    "including migrant workers.",
    "10.7": "10.7 Facilitate orderly, safe, regular and responsible migration and mobility of people, "
    "including through the implementation of planned and well-managed migration policies.",
    "11.b": "11.b Substantially increase the number of cities and human settlements adopting and "
    "implementing integrated policies and plans towards inclusion, resource efficiency, mitigation "
    "and adaptation to climate change, resilience to disasters.",
    "13.1": "13.1 Strengthen resilience and adaptive capacity to climate-related hazards and natural "
    "disasters in all countries.",
    "13.2": "13.2 Integrate climate change measures into national policies, strategies and planning.",
    "15.1": "15.1 By 2020, ensure the conservation, restoration and sustainable use of terrestrial and inland "
    "freshwater ecosystems and their services.",
    "16.3": "16.3 Promote the rule of law at the national and international levels and ensure equal access "
    "to justice for all.",
    "16.5": "16.5 Substantially reduce corruption and bribery in all their forms.",
    "16.6": "16.6 Develop effective, accountable and transparent institutions at all levels.",
    "16.9": "16.9 By 2030, provide legal identity for all, including birth registration.",
    "16.10": "16.10 Ensure public access to information and protect fundamental freedoms, in accordance "
    "with national legislation and international agreements.",
    "17.18": "17.18 By 2020, enhance capacity-building support to developing countries to increase "
    "significantly the availability of high-quality, timely and reliable data disaggregated by "
    "income, gender, age, race, ethnicity, migratory status, disability, geographic location.",
}

# --- the results framework: strategic priority → outcome → output → sub-outputs ------------------------
STRATEGIC_PRIORITIES = {
    1: "People: human development and well-being for all",
    2: "Prosperity: inclusive economic transformation and decent work",
    3: "Planet: climate resilience and sustainable management of natural resources",
    4: "Peace: accountable governance, justice, human rights and gender equality",
}
OUTCOMES = {
    "1.1": "By 2027, more people in Demoland, especially women, children and adolescents in the poorest "
    "districts, use quality, equitable health and nutrition services.",
    "1.2": "By 2027, more children and young people complete quality education and the poorest households "
    "are covered by an inclusive, shock-responsive social protection system.",
    "2.1": "By 2027, more women and young people have decent jobs and livelihoods in a diversified, "
    "productive and inclusive economy.",
    "2.2": "By 2027, food systems are more productive, sustainable and resilient, and fewer households are "
    "food insecure.",
    "3.1": "By 2027, communities and institutions are more resilient to climate change and disasters and "
    "manage ecosystems and natural resources sustainably.",
    "4.1": "By 2027, people in Demoland benefit from more accountable and transparent institutions, equal "
    "access to justice and the protection of their human rights.",
    "4.2": "By 2027, women and girls live free from violence and discrimination and participate equally in "
    "decision-making at all levels.",
}

# output code: (title, agency pool, SDG targets, QCPR function, LNOB groups, joint programme name)
OUTPUTS = {
    "1.1.1": (
        "Primary health care system strengthened to deliver essential maternal, newborn and child health services",
        ("WHO", "UNICEF", "UNFPA"),
        ("3.1", "3.2", "3.8"),
        "Capacity Development/Technical Assistance",
        "Women & Girls; Children",
        "Joint Programme on Maternal and Newborn Health (demo)",
    ),
    "1.1.2": (
        "Multisectoral nutrition programmes scaled up to prevent stunting, wasting and micronutrient deficiencies",
        ("UNICEF", "WFP", "FAO", "WHO"),
        ("2.1", "2.2"),
        "Direct Support/ Service Delivery",
        "Children; Women & Girls",
        "Joint Programme on Nutrition in the First 1,000 Days (demo)",
    ),
    "1.1.3": (
        "Adolescents and young people have access to quality sexual and reproductive health services and information",
        ("UNFPA", "WHO", "UNICEF"),
        ("3.7", "5.3"),
        "Direct Support/ Service Delivery",
        "Youth; Women & Girls",
        "-",
    ),
    "1.2.1": (
        "Foundational learning improved in inclusive, safe primary schools",
        ("UNICEF", "UNESCO", "WFP"),
        ("4.1", "4.5", "2.1"),
        "Direct Support/ Service Delivery",
        "Children; Persons with Disabilities",
        "Joint Programme on School Meals and Learning (demo)",
    ),
    "1.2.2": (
        "Education sector planning, data and teacher development systems strengthened",
        ("UNESCO", "UNICEF"),
        ("4.1", "17.18"),
        "Policy Advice and Thought Leadership",
        "-",
        "-",
    ),
    "1.2.3": (
        "National social protection system made shock-responsive and extended to informal workers",
        ("UNICEF", "ILO", "WFP", "UNDP"),
        ("1.3", "10.7"),
        "Policy Advice and Thought Leadership",
        "Children; Older Persons; Persons with Disabilities",
        "Joint SDG Fund Programme on Integrated Social Protection (demo)",
    ),
    "2.1.1": (
        "Employment policies, labour market information and social dialogue institutions strengthened",
        ("ILO", "UNDP"),
        ("8.5", "8.8", "4.4"),
        "Policy Advice and Thought Leadership",
        "Youth",
        "-",
    ),
    "2.1.2": (
        "Women- and youth-led micro, small and medium enterprises access finance, markets and digital tools",
        ("UNDP", "UN Women", "ILO"),
        ("8.3", "5.5"),
        "Capacity Development/Technical Assistance",
        "Women & Girls; Youth",
        "-",
    ),
    "2.1.3": (
        "Labour migration is safe, orderly and regular and returning migrants are reintegrated",
        ("IOM", "ILO", "UNODC"),
        ("10.7", "8.8"),
        "Capacity Development/Technical Assistance",
        "Migrants; Youth",
        "-",
    ),
    "2.2.1": (
        "Smallholder farmers, especially women, adopt climate-smart agriculture and sustainable land "
        "and water practices",
        ("FAO", "WFP"),
        ("2.3", "2.4"),
        "Capacity Development/Technical Assistance",
        "Peasants & Rural Workers; Women & Girls",
        "Joint Programme on Rural Women's Economic Empowerment (demo)",
    ),
    "2.2.2": (
        "Food security and nutrition information systems, anticipatory action and safety nets in place",
        ("WFP", "FAO"),
        ("2.1", "13.1"),
        "Data Collection and Analysis",
        "Peasants & Rural Workers",
        "-",
    ),
    "2.2.3": (
        "Inclusive agrifood value chains and market access improved for smallholders",
        ("FAO", "UN Women", "WFP"),
        ("2.3", "5.5"),
        "Convening/Partnerships/Knowledge Sharing",
        "Women & Girls; Peasants & Rural Workers",
        "-",
    ),
    "3.1.1": (
        "Climate policies, NDC and National Adaptation Plan implemented and climate finance mobilised",
        ("UNDP", "UNEP", "FAO"),
        ("13.2", "13.1"),
        "Policy Advice and Thought Leadership",
        "-",
        "-",
    ),
    "3.1.2": (
        "Disaster risk reduction, multi-hazard early warning and displacement preparedness strengthened",
        ("UNDP", "WFP", "IOM", "UN-HABITAT"),
        ("13.1", "11.b"),
        "Capacity Development/Technical Assistance",
        "Internally Displaced Persons; Persons with Disabilities",
        "Joint Programme on Anticipatory Action and Early Warning (demo)",
    ),
    "3.1.3": (
        "Renewable energy access expanded and ecosystems restored and sustainably managed",
        ("UNDP", "UNEP", "FAO"),
        ("7.2", "15.1", "6.1"),
        "Direct Support/ Service Delivery",
        "Peasants & Rural Workers",
        "-",
    ),
    "4.1.1": (
        "Justice and security institutions deliver accessible, accountable and people-centred services",
        ("UNDP", "UNODC", "OHCHR", "UNICEF"),
        ("16.3", "16.5"),
        "Capacity Development/Technical Assistance",
        "Minorities; Children; Women & Girls",
        "Joint Programme on Access to Justice (demo)",
    ),
    "4.1.2": (
        "National human rights protection system and follow-up to UPR and treaty body recommendations strengthened",
        ("OHCHR", "UNDP", "UN Women"),
        ("16.10", "16.6"),
        "Normative Support",
        "Minorities; Persons with Disabilities",
        "-",
    ),
    "4.1.3": (
        "National statistical system, census and civil registration produce disaggregated data for SDG monitoring",
        ("UNFPA", "UNICEF", "UNDP", "WHO"),
        ("17.18", "16.9"),
        "Data Collection and Analysis",
        "-",
        "-",
    ),
    "4.2.1": (
        "Survivors of gender-based violence access quality multisectoral services and communities "
        "reject harmful practices",
        ("UNFPA", "UN Women", "UNICEF"),
        ("5.2", "5.3"),
        "Direct Support/ Service Delivery",
        "Women & Girls; Children",
        "Joint Programme on Ending Violence against Women and Girls (demo)",
    ),
    "4.2.2": (
        "Women's leadership and participation in political, peace and public life increased",
        ("UN Women", "UNDP"),
        ("5.5", "16.6"),
        "Convening/Partnerships/Knowledge Sharing",
        "Women & Girls",
        "-",
    ),
    "4.2.3": (
        "Gender-responsive laws, budgets and statistics adopted and the care economy recognised",
        ("UN Women", "UNDP", "ILO"),
        ("5.c", "8.5"),
        "Policy Advice and Thought Leadership",
        "Women & Girls",
        "-",
    ),
}

# output code → [(sub-output title, lead agency)]
SUBOUTPUTS = {
    "1.1.1": [
        ("Upgrade emergency obstetric and newborn care in 24 district hospitals", "UNFPA"),
        ("Expand the community health worker programme to hard-to-reach districts", "UNICEF"),
        ("Strengthen routine immunization, cold chain and catch-up campaigns for zero-dose children", "UNICEF"),
        ("Update the essential medicines list and the national health supply chain system", "WHO"),
        ("Scale up integrated management of childhood illness in primary health facilities", "WHO"),
        ("Roll out maternal death surveillance and response nationwide", "UNFPA"),
    ],
    "1.1.2": [
        ("Integrate community-based management of acute malnutrition in primary health care", "UNICEF"),
        ("Support large-scale fortification of wheat flour, oil and salt", "WFP"),
        ("Deliver infant and young child feeding counselling through health and community platforms", "UNICEF"),
        ("Run a nutrition-sensitive social and behaviour change campaign", "UNICEF"),
        ("Establish a national nutrition information system and annual SMART surveys", "WHO"),
    ],
    "1.1.3": [
        ("Set up youth-friendly sexual and reproductive health services in 40 health facilities", "UNFPA"),
        ("Secure family planning commodities and last-mile distribution", "UNFPA"),
        ("Integrate comprehensive sexuality education in the secondary school curriculum", "UNFPA"),
        ("Strengthen midwifery pre-service education and regulation", "UNFPA"),
        ("Prevent adolescent pregnancy in the three provinces with the highest rates", "UNICEF"),
        ("Expand HIV prevention and testing for adolescents and key populations", "WHO"),
    ],
    "1.2.1": [
        ("Deliver an early grade reading and numeracy programme in 600 primary schools", "UNICEF"),
        ("Link a home-grown school feeding programme to local smallholder producers", "WFP"),
        ("Make primary schools inclusive of children with disabilities", "UNICEF"),
        ("Run an accelerated learning programme for out-of-school children", "UNICEF"),
        ("Build safe, climate-resilient water and sanitation facilities in schools", "UNICEF"),
        ("Produce teaching and learning materials in national languages", "UNESCO"),
    ],
    "1.2.2": [
        ("Prepare the costed Education Sector Plan 2026–2030", "UNESCO"),
        ("Modernise the education management information system (EMIS)", "UNESCO"),
        ("Provide continuous professional development for primary and secondary teachers", "UNESCO"),
        ("Establish a national learning assessment system", "UNICEF"),
        ("Connect teachers to a national digital learning platform", "UNESCO"),
    ],
    "1.2.3": [
        ("Adopt a national social protection policy and financing strategy", "ILO"),
        ("Link a shock-responsive cash transfer mechanism to early warning triggers", "WFP"),
        ("Extend the single social registry to informal sector households", "UNDP"),
        ("Pilot a universal child grant in two provinces", "UNICEF"),
        ("Extend social health insurance to informal workers", "ILO"),
        ("Design and cost a disability allowance", "UNICEF"),
    ],
    "2.1.1": [
        ("Adopt a national employment policy and a youth employment action plan", "ILO"),
        ("Set up a labour market information system and a quarterly labour force survey", "ILO"),
        ("Strengthen labour inspection and occupational safety and health", "ILO"),
        ("Support tripartite social dialogue institutions", "ILO"),
        ("Align TVET curricula with skills demanded by employers", "UNDP"),
        ("Provide evidence for the minimum wage review", "ILO"),
    ],
    "2.1.2": [
        ("Offer business development services to women-led micro and small enterprises", "UN Women"),
        ("Expand digital financial services and mobile money for rural entrepreneurs", "UNDP"),
        ("Capitalise a credit guarantee scheme for small and medium enterprises", "UNDP"),
        ("Incubate youth-led start-ups in three cities", "UNDP"),
        ("Run a green business and circular economy innovation challenge", "UNDP"),
        ("Reserve a share of public procurement for women-owned businesses", "UN Women"),
    ],
    "2.1.3": [
        ("Negotiate bilateral labour migration agreements with destination countries", "IOM"),
        ("Open pre-departure orientation and migrant resource centres", "IOM"),
        ("Reintegrate returning migrants through skills recognition and jobs", "IOM"),
        ("Channel diaspora engagement and remittances into local investment", "IOM"),
        ("Operate a national counter-trafficking referral mechanism", "UNODC"),
    ],
    "2.2.1": [
        ("Train farmers in climate-smart agriculture through farmer field schools", "FAO"),
        ("Build small-scale irrigation and water harvesting schemes", "FAO"),
        ("Distribute certified seed of drought-tolerant varieties", "FAO"),
        ("Strengthen animal health and livestock vaccination services", "FAO"),
        ("Launch a digital agricultural advisory service", "FAO"),
        ("Register land tenure rights of smallholders, especially women", "FAO"),
    ],
    "2.2.2": [
        ("Run the food security and nutrition monitoring system and IPC analysis", "WFP"),
        ("Prepare and finance anticipatory action plans for drought", "FAO"),
        ("Provide lean-season food assistance to food-insecure households", "WFP"),
        ("Improve management of the strategic grain reserve", "WFP"),
        ("Provide emergency school meals in drought-affected districts", "WFP"),
    ],
    "2.2.3": [
        ("Reduce post-harvest losses through improved storage", "FAO"),
        ("Support women's cooperatives in dairy and horticulture value chains", "UN Women"),
        ("Connect smallholders to structured markets and local food procurement", "WFP"),
        ("Update food safety standards and certification", "FAO"),
        ("Introduce fisheries co-management and small-scale aquaculture", "FAO"),
    ],
    "3.1.1": [
        ("Formulate and implement the National Adaptation Plan", "UNDP"),
        ("Update the NDC and prepare a climate finance strategy", "UNDP"),
        ("Set up a greenhouse gas inventory under the enhanced transparency framework", "UNEP"),
        ("Introduce climate budget tagging in the Ministry of Finance", "UNDP"),
        ("Prepare Green Climate Fund readiness proposals", "FAO"),
        ("Develop a loss and damage assessment methodology", "UNDP"),
    ],
    "3.1.2": [
        ("Operate a multi-hazard early warning system with last-mile dissemination", "UNDP"),
        ("Adopt disaster risk reduction strategies in 12 districts", "UNDP"),
        ("Run displacement tracking and site management in flood-prone areas", "IOM"),
        ("Integrate resilience into urban plans of flood-prone cities", "UN-HABITAT"),
        ("Train community-based disaster risk management committees", "WFP"),
        ("Build national capacity for post-disaster needs assessments", "UNDP"),
    ],
    "3.1.3": [
        ("Install solar mini-grids for health centres and schools", "UNDP"),
        ("Restore degraded forest landscapes", "FAO"),
        ("Strengthen protected area management and biodiversity monitoring", "UNEP"),
        ("Promote clean cooking solutions", "UNDP"),
        ("Introduce integrated water resources management in the main river basin", "UNEP"),
        ("Reduce plastic waste in coastal municipalities", "UNEP"),
    ],
    "4.1.1": [
        ("Provide legal aid to the poor and to pre-trial detainees", "UNDP"),
        ("Roll out an electronic case management system in courts", "UNDP"),
        ("Divert children in conflict with the law from detention", "UNICEF"),
        ("Strengthen the capacity of the anti-corruption commission", "UNODC"),
        ("Reform prisons and introduce alternatives to detention", "UNODC"),
        ("Introduce community-oriented policing in 10 districts", "UNDP"),
    ],
    "4.1.2": [
        ("Bring the national human rights institution into compliance with the Paris Principles", "OHCHR"),
        ("Set up a UPR implementation plan and recommendations tracking database", "OHCHR"),
        ("Support state reporting to treaty bodies", "OHCHR"),
        ("Protect civic space and human rights defenders", "OHCHR"),
        ("Train public officials in the human rights-based approach", "UNDP"),
    ],
    "4.1.3": [
        ("Conduct the 2024 population and housing census", "UNFPA"),
        ("Digitise civil registration and vital statistics", "UNICEF"),
        ("Launch a national SDG indicator monitoring platform", "UNDP"),
        ("Conduct the 2025 Demographic and Health Survey", "UNFPA"),
        ("Improve the quality of administrative health data", "WHO"),
        ("Publish subnational data dashboards for district planning", "UNDP"),
    ],
    "4.2.1": [
        ("Open one-stop centres for survivors of gender-based violence", "UNFPA"),
        ("Set up GBV referral pathways and case management", "UNFPA"),
        ("Mobilise communities against child marriage and female genital mutilation", "UNICEF"),
        ("Establish specialised GBV police units and prosecutors", "UN Women"),
        ("Prevent violence against girls in and around schools", "UNICEF"),
        ("Operate a GBV information management system", "UNFPA"),
    ],
    "4.2.2": [
        ("Train women candidates ahead of the 2026 elections", "UN Women"),
        ("Support advocacy for a gender quota law", "UN Women"),
        ("Strengthen women's leadership in local councils", "UNDP"),
        ("Implement the national action plan on women, peace and security", "UN Women"),
        ("Support gender-sensitive election observation", "UNDP"),
    ],
    "4.2.3": [
        ("Introduce gender-responsive budgeting in the national budget circular", "UN Women"),
        ("Conduct a national time use survey and publish gender statistics", "UN Women"),
        ("Develop a national care economy policy", "UN Women"),
        ("Promote equal pay and ratification of ILO Convention No. 190", "ILO"),
        ("Adopt a women's economic empowerment policy", "UNDP"),
    ],
}

CONTRIBUTING_PARTNERS = (
    "European Union",
    "Joint SDG Fund",
    "Peacebuilding Fund",
    "Green Climate Fund",
    "The Global Environment Facility",
    "Government of Sweden",
    "Government of Norway",
    "Government of Germany",
    "Government of Japan",
    "Government of Canada",
    "Government of the Netherlands",
    "Foreign, Commonwealth & Development Office (United Kingdom)",
    "World Bank",
    "Gavi, the Vaccine Alliance",
    "Global Partnership for Education",
    "Spotlight Initiative",
    "Central Emergency Response Fund",
)
IMPLEMENTATION_PARTNERS = {
    "1": (
        "Demoland Ministry of Health (demo)",
        "Demoland Ministry of Education (demo)",
        "Demoland Ministry of Social Welfare (demo)",
        "Demoland Red Crescent Society (demo)",
        "Local and international NGOs",
    ),
    "2": (
        "Demoland Ministry of Labour (demo)",
        "Demoland Ministry of Agriculture (demo)",
        "Demoland Chamber of Commerce (demo)",
        "Demoland Farmers' Federation (demo)",
        "Local and international NGOs",
    ),
    "3": (
        "Demoland Ministry of Environment (demo)",
        "Demoland Disaster Management Agency (demo)",
        "Demoland Meteorological Department (demo)",
        "District councils of Demoland (demo)",
    ),
    "4": (
        "Demoland Ministry of Justice (demo)",
        "Demoland National Human Rights Commission (demo)",
        "Demoland National Statistics Office (demo)",
        "Demoland Ministry of Gender (demo)",
        "Demoland Women Lawyers Association (demo)",
    ),
}
REGIONS = ("Northern Region", "Southern Region", "Eastern Region", "Western Region", "Capital District")
GENDER_MARKERS = (
    "1 - Contributes to gender equality/women's empowerment in a limited way",
    "2 - Gender equality/women's empowerment is a significant objective",
    "3 - Gender equality/women's empowerment is the principal objective",
    "0 - Not expected to contribute to gender equality/women's empowerment",
)
HUMAN_RIGHTS_MARKERS = (
    "1 - Limited contribution to realization of human rights",
    "2 - Significant contribution to realization of human rights",
    "3 - Principal contribution is to the realization of human rights",
    "0 - Not expected to contribute to realization of human rights",
)
PEACE_MARKERS = (
    "0 - Not expected to contribute towards sustaining peace",
    "1 - Contributes to sustaining peace empowerment in a limited way",
    "2 - Sustaining Peace is a significant objective",
)
NARRATIVES = (
    "{agency} supported the roll-out in {n} districts; {people:,} people reached (demo data).",
    "Activities implemented as planned with {partner}; results reported in the annual UNSDCF results report.",
    "Implementation delayed by late transfer of funds; {n} of the planned activities completed.",
    "{agency} and {partner} trained {people:,} staff and volunteers (demo data).",
    "Technical assistance provided to {partner}; policy draft validated in a national workshop.",
)


# --- 2. indicators ---------------------------------------------------------------------------------------
YEARLY = ("2023", "2024", "2025")
QUARTERLY = ("2023", "2024", "2025-Q1", "2025-Q2")
ACHIEVED = (0.35, 0.8, 1.15)
ON_TRACK = (0.2, 0.45, 0.76)
OFF_TRACK = (0.1, 0.05, 0.2)
NO_DATA = (None, None, None)

# code, result, wording, unit, baseline, baseline year, target, agency, means of verification,
# periods, progress share per period (None = not reported), decimals
INDICATORS = (
    (
        "1.1.a",
        "1.1",
        "Maternal mortality ratio (per 100,000 live births)",
        "per 100,000 live births",
        412,
        2021,
        300,
        "UNFPA",
        "Maternal death surveillance and response reports; DHS",
        YEARLY,
        ON_TRACK,
        0,
    ),
    (
        "1.1.b",
        "1.1",
        "Proportion of children under 5 years of age who are stunted",
        "%",
        31.5,
        2022,
        25.0,
        "UNICEF",
        "MICS 2022; annual SMART nutrition surveys",
        YEARLY,
        OFF_TRACK,
        1,
    ),
    (
        "1.1.c",
        "1.1",
        "Proportion of births attended by skilled health personnel",
        "%",
        68.0,
        2022,
        85.0,
        "WHO",
        "Health management information system (DHIS2)",
        YEARLY,
        ACHIEVED,
        1,
    ),
    (
        "1.2.a",
        "1.2",
        "Completion rate, lower secondary education",
        "%",
        54.0,
        2022,
        70.0,
        "UNICEF",
        "EMIS annual school census",
        YEARLY,
        ON_TRACK,
        1,
    ),
    (
        "1.2.b",
        "1.2",
        "Proportion of children at the end of primary achieving at least a minimum proficiency level in reading",
        "%",
        38.0,
        2022,
        50.0,
        "UNESCO",
        "National learning assessment (first round 2026)",
        YEARLY,
        NO_DATA,
        1,
    ),
    (
        "1.2.c",
        "1.2",
        "Proportion of population covered by at least one social protection benefit",
        "%",
        22.0,
        2022,
        35.0,
        "ILO",
        "Social protection management information system",
        YEARLY,
        ACHIEVED,
        1,
    ),
    (
        "2.1.a",
        "2.1",
        "Unemployment rate of young people aged 15–24",
        "%",
        18.4,
        2022,
        14.0,
        "ILO",
        "Quarterly labour force survey",
        QUARTERLY,
        (0.1, 0.2, 0.15, 0.22),
        1,
    ),
    (
        "2.1.b",
        "2.1",
        "Proportion of informal employment in total employment",
        "%",
        81.0,
        2022,
        75.0,
        "ILO",
        "Annual labour force survey",
        YEARLY,
        ON_TRACK,
        1,
    ),
    (
        "2.1.c",
        "2.1",
        "Number of women-led micro, small and medium enterprises accessing formal credit",
        "number",
        1200,
        2022,
        5000,
        "UNDP",
        "Central Bank financial inclusion statistics",
        YEARLY,
        ACHIEVED,
        0,
    ),
    (
        "2.2.a",
        "2.2",
        "Prevalence of moderate or severe food insecurity in the population (FIES)",
        "%",
        34.0,
        2022,
        25.0,
        "WFP",
        "Food security and nutrition monitoring system (quarterly)",
        QUARTERLY,
        (0.2, 0.45, 0.7, 0.8),
        1,
    ),
    (
        "2.2.b",
        "2.2",
        "Proportion of agricultural area under productive and sustainable agriculture",
        "%",
        12.0,
        2022,
        20.0,
        "FAO",
        "Agricultural census and annual crop survey",
        YEARLY,
        OFF_TRACK,
        1,
    ),
    (
        "3.1.a",
        "3.1",
        "National Adaptation Plan adopted and under implementation",
        "yes/no",
        0,
        2022,
        1,
        "UNDP",
        "Official Gazette; UNFCCC NAP Central",
        YEARLY,
        (0.0, 0.0, 1.0),
        0,
    ),
    (
        "3.1.b",
        "3.1",
        "Renewable energy share in the total final energy consumption",
        "%",
        9.0,
        2022,
        20.0,
        "UNEP",
        "National energy balance",
        YEARLY,
        (0.05, 0.15, None),
        1,
    ),
    (
        "3.1.c",
        "3.1",
        "Number of districts with a functioning multi-hazard early warning system",
        "number",
        3,
        2022,
        15,
        "UNDP",
        "Disaster Management Agency reports",
        YEARLY,
        ON_TRACK,
        0,
    ),
    (
        "4.1.a",
        "4.1",
        "Unsentenced detainees as a proportion of overall prison population",
        "%",
        46.0,
        2022,
        30.0,
        "UNODC",
        "Prison administration statistics",
        YEARLY,
        (0.1, -0.05, -0.1),
        1,
    ),
    (
        "4.1.b",
        "4.1",
        "Proportion of children under 5 years of age whose births have been registered with a civil authority",
        "%",
        61.0,
        2022,
        85.0,
        "UNICEF",
        "Civil registration and vital statistics system",
        YEARLY,
        ON_TRACK,
        1,
    ),
    (
        "4.1.c",
        "4.1",
        "Proportion of supported UPR recommendations fully or partially implemented",
        "%",
        15.0,
        2022,
        60.0,
        "OHCHR",
        "UPR mid-term report; national recommendations tracking database",
        YEARLY,
        NO_DATA,
        0,
    ),
    (
        "4.2.a",
        "4.2",
        "Proportion of seats held by women in the national parliament",
        "%",
        18.0,
        2022,
        30.0,
        "UN Women",
        "Inter-Parliamentary Union (IPU Parline)",
        YEARLY,
        (0.0, 0.0, 0.75),
        1,
    ),
    (
        "4.2.b",
        "4.2",
        "Proportion of ever-partnered women and girls aged 15 and older subjected to physical, "
        "sexual or psychological violence by a current or former intimate partner in the previous 12 months",
        "%",
        24.0,
        2022,
        18.0,
        "UNFPA",
        "DHS domestic violence module; GBV information management system",
        YEARLY,
        (None, 0.1, 0.2),
        1,
    ),
    (
        "4.2.c",
        "4.2",
        "Proportion of women aged 20–24 years who were married or in a union before age 18",
        "%",
        29.0,
        2022,
        22.0,
        "UNICEF",
        "MICS; DHS",
        YEARLY,
        ON_TRACK,
        1,
    ),
)
INDICATOR_COLUMNS = (
    "plan",
    "indicator_code",
    "indicator",
    "result_code",
    "unit",
    "baseline",
    "baseline_year",
    "target",
    "target_year",
    "period",
    "actual",
    "agency",
    "means_of_verification",
)


# --- 3. actions ----------------------------------------------------------------------------------------------
# (rec no., recommendation, management response, [(key action, responsible, deadline, status, comment)])
RECOMMENDATIONS = (
    (
        "1",
        "Establish a sufficiently resourced, integrated and commonly agreed framework for strategic "
        "partnerships as a central part of the Strategic Plan.",
        "Accepted",
        [
            (
                "Establish a strategic partnership policy framework.",
                "SPD/Civil Society Section (CSS)/Policy Division/Regional Offices",
                "2024/12",
                "Completed",
                "Partnership policy approved and disseminated to all offices.",
            ),
            (
                "Publish a clear statement of risk appetite for partnering, including acceptable boundaries for "
                "innovation.",
                "SPD/DMA/CSS",
                "Dec 2025",
                "Done",
                "Enterprise risk management framework and due diligence system in place.",
            ),
            (
                "Commit staff time to a roadmap for each strategic partnership, updated by its focal point.",
                "SPD, CSS, Policy Division, Regional Offices",
                dt.date(2026, 6, 30),
                "In progress",
                "Roadmaps ready for 9 of 16 major partners.",
            ),
        ],
    ),
    (
        "2",
        "Clarify roles and responsibilities for strategic partnerships across headquarters, regional and "
        "country offices, and build the leadership skills partnership working requires.",
        "Accepted",
        [
            (
                "Establish strategic partnership focal points in all regional offices and headquarters sections.",
                "SPD/Programme Division/CSS",
                "2024/06",
                "Implemented",
                "Integrated in the annual work plan.",
            ),
            (
                "Use corporate relationship management software so that all contact with a partner is visible to "
                "staff and linked to results and financial reporting.",
                "IT/SPD/Programme Division/PPGU",
                "2025/12",
                "Initiated",
                "Pilot launched; roll-out to country offices delayed.",
            ),
            (
                "Set competencies, leadership training and certification on partnership management for staff.",
                "SPD/HR/Programme Division/Regional Offices",
                "2027/06",
                "Ongoing",
                "Training delivered in 4 of 6 regions.",
            ),
        ],
    ),
    (
        "3",
        "Integrate strategic partnership considerations systematically in the day-to-day workflows and "
        "tools of leaders, managers and staff.",
        "Accepted",
        [
            (
                "Review operations tools, rules and processes for their effect on strategic partnerships.",
                "SPD/DMA/CSS/Regional Offices",
                "Mar 2025",
                "Completed",
                "Partnership modalities revised.",
            ),
            (
                "Include partnership milestones in annual work plans and performance appraisals.",
                "Programme Division/HR",
                "2026-12-31",
                "Not started",
                "Planned for the next appraisal cycle.",
            ),
        ],
    ),
    (
        "4",
        "Use the convening role to shape multi-stakeholder platforms for dialogue and innovation, with "
        "incentives for managers from both donors and internal systems.",
        "Partially accepted",
        [
            (
                "Develop incentive structures that recognise country representatives for multi-stakeholder "
                "partnership results.",
                "Programme Division/Policy Division/SPD",
                "Sep 2025",
                "On hold",
                "Put on hold pending the corporate performance management review.",
            ),
            (
                "Pilot multi-stakeholder dialogue platforms in three country offices.",
                "Policy Division/Regional Offices",
                "2027/03",
                "Planned",
                "",
            ),
        ],
    ),
    (
        "5",
        "Extend movement-building to country-level work with civil society, strengthening the capacity of "
        "women's organisations to hold governments accountable for gender equality commitments.",
        "Accepted",
        [
            (
                "Support country and regional offices to establish multi-year funding pipelines.",
                "SPD/Programme Division",
                "2024/12",
                "Completed",
                "Pipeline tracking tool in use by all offices.",
            ),
            (
                "Hold regular structured dialogue between senior leadership and civil society advisory groups.",
                "EDO/Civil Society Section",
                "Dec 2025",
                "Continuous",
                "Meetings held twice a year.",
            ),
            (
                "Provide core capacity grants to women's organisations through the trust funds.",
                "Programme Division",
                dt.date(2025, 9, 30),
                "Not started",
                "Awaiting donor confirmation.",
            ),
        ],
    ),
    (
        "6",
        "Manage the dual relationship with private companies, as funders and as targets of advocacy, "
        "through clearer coordination between policy, programme and private sector teams.",
        "Accepted",
        [
            (
                "Move responsibility for the Women's Empowerment Principles to the policy and programme bureau.",
                "SPD/Policy Division",
                "2024/03",
                "Done",
                "",
            ),
            (
                "Coordinate all communication with corporate partners through one relationship management system.",
                "SPD",
                "2026/09",
                "In progress",
                "System live at headquarters only.",
            ),
            (
                "Set due diligence levels by type of corporate partnership, with pre-approved mechanisms that "
                "regional offices can approve.",
                "SPD, CSS, Policy Division, Regional Offices",
                "2025/06",
                "Fully implemented",
                "Due diligence policy and procedure promulgated.",
            ),
            (
                "Support National Committees and field offices to diversify corporate partners and individual giving.",
                "SPD/Programme Division",
                "2027-06-30",
                "Ongoing",
                "",
            ),
        ],
    ),
    (
        "7",
        "Identify and address barriers to country-level coordination with strategic partners that work "
        "with several UN entities.",
        "Accepted",
        [
            (
                "Support the new generation of Cooperation Frameworks to emphasise stakeholder engagement by the "
                "UN Country Team.",
                "Programme Division",
                "Dec 2026",
                "Ongoing",
                "Gender theme groups engaged in 12 Cooperation Framework roadmaps.",
            ),
            (
                "Liaise with UNDP, UNICEF and UNFPA on joint engagement of Executive Boards on the Strategic Plans.",
                "EDO/UN Coordination Division",
                "2024/06",
                "No longer applicable",
                "Superseded by the common chapter of the Strategic Plans.",
            ),
        ],
    ),
    (
        "8",
        "Establish a model of strategic partnership with the various agencies of a member state, covering "
        "intergovernmental processes, donors and the economy.",
        "Noted",
        [
            (
                "Explore how multiple connections with a member state can be coordinated within one strategic "
                "partnership framework agreement.",
                "SPD, Programme and Policy Divisions",
                "2025/12",
                "Pending",
                "",
            ),
            (
                "Develop a single partnership model applicable to all member states.",
                "SPD",
                "2026/06",
                "Withdrawn",
                "A single model does not suit the diversity of member states.",
            ),
        ],
    ),
)

# (priority area, [(deliverable, leads, agency, timeline, status, comments)])
WORKPLAN: tuple[tuple[str, list[tuple]], ...] = (
    (
        "Ensure the centrality of protection throughout the response, with agreed, measurable indicators "
        "reviewed at mid-term",
        [
            (
                "Provide protection inputs to the UNCT annual horizon-scanning on critical protection concerns.",
                "OHCHR, UNICEF",
                "OHCHR",
                "2025/11",
                "[COMPLETED]",
                "Inputs on three provinces shared ahead of the UNCT retreat.",
            ),
            (
                "Commission an independent review of the implementation of the protection strategy.",
                "OHCHR",
                "OHCHR",
                "2026/06",
                "[ONGOING]",
                "Terms of reference endorsed; consultants being recruited.",
            ),
            (
                "Support the UNCT to prepare a management action plan on the review's findings.",
                "OHCHR, UNDP",
                "OHCHR",
                "2027/03",
                "[PLANNED]",
                "To start once the review is finalised.",
            ),
        ],
    ),
    (
        "Address bureaucratic and administrative impediments to the access of NGOs",
        [
            (
                "Document and map bureaucratic impediments and restrictive provisions of the NGO law.",
                "UNDP, Demoland NGO Forum (demo)",
                "UNDP",
                "2025/03",
                "[COMPLETED]",
                "Mapping finalised in March.",
            ),
            (
                "Develop good-practice guidance for the UNCT on mitigating bureaucratic impediments.",
                "UNDP, OHCHR",
                "UNDP",
                "Sep 2026",
                "[ONGOING]",
                "Two of four case studies completed.",
            ),
        ],
    ),
    (
        "Operationalise localisation, including representation of national and local organisations in "
        "coordination structures",
        [
            (
                "Identify benchmarks to measure progress on localisation.",
                "UN Women, UNDP",
                "UN Women",
                "2026/12",
                "[ONGOING]",
                "Draft benchmarks shared with results groups.",
            ),
            (
                "Publish guidance for the UNCT on engaging national NGOs in coordination structures.",
                "UN Women, OHCHR",
                "UN Women",
                "Jun 2025",
                "[COMPLETED]",
                "",
            ),
            (
                "Draft a framework for engagement with local governments.",
                "UN-Habitat",
                "UN-Habitat",
                "2027/06",
                "[ONGOING]",
                "Consultations held in two regions.",
            ),
        ],
    ),
    (
        "Strengthen early warning and early action analysis so that early action is prioritised",
        [
            (
                "Identify, analyse and prioritise emerging risks and publish a six-monthly early warning report.",
                "WFP",
                "WFP",
                "2027-12-31",
                "[CONTINUOUS]",
                "Latest report issued in October.",
            ),
            (
                "Finalise and disseminate revised emergency response preparedness guidance.",
                "WFP, UNICEF",
                "WFP",
                "Jun 2025",
                "[DE-PRIORITIZED]",
                "Continues under agency-specific mandates.",
            ),
            (
                "Provide regular updates on actions taken on prioritised early warning risks.",
                "FAO, WFP",
                "FAO",
                "Dec 2026",
                "[CONTINUOUS]",
                "",
            ),
        ],
    ),
    (
        "Consolidate policies and practices of partners on data responsibility",
        [
            (
                "Facilitate joint operational guidance on data responsibility.",
                "UNFPA, IOM",
                "UNFPA",
                dt.date(2025, 10, 31),
                "[COMPLETED]",
                "Endorsed by the UNCT in November.",
            ),
            (
                "Produce a FAQ on data responsibility for the population census.",
                "UNFPA",
                "UNFPA",
                dt.date(2026, 3, 31),
                "Cancelled",
                "Covered by the census data protection protocol.",
            ),
        ],
    ),
)

#: the work plan is costed (SPEC §2.3): deliverable no. → (cost, funds secured, source of funds); a deliverable not
#: listed states no cost, as in real plans (staff time, or not costed yet)
WORKPLAN_COSTS = {
    "1.1": (12_000, 12_000, "OHCHR extrabudgetary"),
    "1.2": (85_000, 50_000, "UN Peacebuilding Fund (demo)"),
    "1.3": (20_000, None, None),
    "2.1": (30_000, 30_000, "UNDP core"),
    "2.2": (45_000, 20_000, "UNDP core"),
    "3.1": (25_000, 10_000, "Joint SDG Fund (demo)"),
    "3.2": (18_000, 18_000, "UN Women core"),
    "3.3": (60_000, 0, "To be mobilised"),
    "4.2": (40_000, 40_000, "WFP"),
    "4.3": (22_000, 15_000, "FAO"),
    "5.1": (35_000, 35_000, "UNFPA, IOM"),
}
#: the Human Rights Working Group's costed annual work plan (after the working group's terms of reference:
#: deliverables per One Programme pillar, updated every quarter): (pillar, area of work, [(deliverable, leads, agency,
#: timeline, status, cost, funds secured, source of funds, comments)])
DEMO_HRWG = "DEMO — Human Rights Working Group: costed annual work plan 2026 (demo data)"
HRWG_WORKPLAN: tuple[tuple[str, str, list[tuple]], ...] = (
    (
        "Peace, Security and Rule of Law",
        "Follow-up to the human rights mechanisms",
        [
            (
                "Joint UN submission to the Universal Periodic Review, with a matrix to follow up the accepted "
                "recommendations.",
                "OHCHR, UNDP",
                "OHCHR",
                "2026/06",
                "Completed",
                38_000,
                38_000,
                "OHCHR extrabudgetary",
                "Submission sent in May; follow-up matrix shared with the UNCT.",
            ),
            (
                "Train justice and security sector focal points on the Human Rights Due Diligence Policy.",
                "OHCHR",
                "OHCHR",
                "2026/09",
                "Ongoing",
                52_000,
                30_000,
                "UN Peacebuilding Fund (demo)",
                "Two of four trainings held.",
            ),
        ],
    ),
    (
        "Governance and Public Institutions",
        "The national human rights institution",
        [
            (
                "Support the national human rights commission to prepare its accreditation review.",
                "UNDP, OHCHR",
                "UNDP",
                "2026/12",
                "Ongoing",
                75_000,
                40_000,
                "UNDP core",
                "",
            ),
            (
                "Human rights analysis for the Common Country Analysis update.",
                "OHCHR, RCO",
                "OHCHR",
                "2026/03",
                "Completed",
                None,
                None,
                None,
                "Staff time; no cost.",
            ),
        ],
    ),
    (
        "Sustainable Economic Transformation",
        "Business and human rights",
        [
            (
                "Baseline assessment of business and human rights in the extractive sector.",
                "UNDP, ILO",
                "ILO",
                "2027/03",
                "Not started",
                60_000,
                0,
                "To be mobilised",
                "Concept note drafted.",
            ),
        ],
    ),
    (
        "Human Development",
        "Advocacy and human rights data",
        [
            (
                "Joint UN event with civil society on Human Rights Day (10 December).",
                "UNICEF, UN Women",
                "UNICEF",
                "Dec 2026",
                "Planned",
                15_000,
                15_000,
                "UNCT pooled funds (demo)",
                "",
            ),
            (
                "Guidance on disability-inclusive data for the 2027 census.",
                "UNFPA",
                "UNFPA",
                "2027/03",
                "Ongoing",
                24_000,
                None,
                None,
                "Funding not yet reported.",
            ),
        ],
    ),
)
HRWG_HEADER = (
    "Source type",
    "Source title",
    "Pillar",
    "Priority area",
    "Deliverable no.",
    "Deliverable",
    "Lead(s)",
    "Agency",
    "Timeline",
    "Status",
    "Estimated cost (USD)",
    "Funds secured (USD)",
    "Source of funds",
    "Comments",
)

ACTIONS_HEADER = (
    "Source type",
    "Source title",
    "Rec. No.",
    "Recommendation",
    "Management response",
    "Key action no.",
    "Key action(s)",
    "Responsible unit(s)",
    "Agency",
    "Deadline",
    "Status",
    "Comments",
)
WORKPLAN_HEADER = (
    "Source type",
    "Source title",
    "Priority area",
    "Deliverable no.",
    "Deliverable",
    "Lead(s)",
    "Agency",
    "Timeline",
    "Status",
    "Comments",
    "Cost (USD)",
    "Funded (USD)",
    "Source of funds",
)
