"""The fictional business: its places, teams, survey items, texts and planted effects, in one place.

Everything the generator draws from is declared here so docs/sample_data.md and the tests can name it.
"""

from __future__ import annotations

import numpy as np

REGIONS = {
    "Leeds": "North",
    "York": "North",
    "Bristol": "South",
    "Brighton": "South",
    "Exeter": "South",
    "Norwich": "East",
    "Cambridge": "East",
}
LOCATIONS = list(REGIONS)
LOCATION_WEIGHTS = np.array([0.18, 0.10, 0.18, 0.14, 0.10, 0.15, 0.15])

# Planted effect 1: empathy training at these locations from INITIATIVE_MONTH (months after the start).
TREATED_LOCATIONS = ("Leeds", "Bristol", "Norwich")
INITIATIVE_MONTH = 12
CSAT_TOP2_BASE, CSAT_TOP2_LIFT = 0.70, 0.12
NPS_PROMOTER_BASE, NPS_DETRACTOR_BASE = 0.42, 0.26
NPS_PROMOTER_LIFT, NPS_DETRACTOR_DROP = 0.12, 0.09
CHURN_HAZARD_BASE, CHURN_HAZARD_TREATED_FACTOR = 0.018, 0.6
REOPEN_MEAN_BASE, REOPEN_MEAN_TREATED = 0.18, 0.10  # Poisson mean of reopens per resolved ticket
HANDLE_MEDIAN_BASE, HANDLE_MEDIAN_TREATED, HANDLE_SIGMA = 11.0, 14.0, 0.5  # lognormal minutes per ticket
CES_MEAN_BASE, CES_MEAN_TREATED = 5.0, 5.6  # before rounding and clipping to 1-7
REVIEW_STAR_P_BASE = (0.09, 0.08, 0.13, 0.3, 0.4)  # 1..5 stars
REVIEW_STAR_P_TREATED = (0.05, 0.05, 0.1, 0.3, 0.5)
EMPLOYEE_SCORE_LIFT = 0.2  # on every 1-5 latent mean of employees at the treated locations

# Planted effect 2: one team under a poor manager.
POOR_MANAGER_TEAM = "Customer Support"
POOR_MANAGER_SCORE_SHIFT = -1.0  # on the manager-empathy items (1-5 scale latent mean)
POOR_MANAGER_ENGAGEMENT_SHIFT = -0.5
VOLUNTARY_HAZARD, POOR_TEAM_VOLUNTARY_HAZARD, INVOLUNTARY_HAZARD = 0.010, 0.035, 0.003

# Planted effect 3: a staggered roll-out. One-to-one empathy coaching for support agents, agent by agent in
# three adoption cohorts; each location's agents 1, 2 and 3 join cohorts 1, 2 and 3, agents 4 and 5 are never
# coached, so every location (and so EMP-TRAIN-1's treated and control locations alike) has the same mix
# and the coaching differences out of location-level comparisons. Effects differ by cohort and act on
# tickets the agent handles from the cohort's start month (additively, so they do not interact with
# EMP-TRAIN-1): minutes of handle time per ticket, the top-2-box probability of the ticket's CSAT answer,
# and the complaints per 100 tickets of the business's own outcome panel (outcome_measures).
COACHING_ID = "EMP-COACH-2"
AGENTS_PER_LOCATION = 5
# agent number -> (cohort start month, handle minutes, ticket CSAT top-2 probability, complaints per 100)
COACHING_COHORTS = {
    1: (5, -4.0, 0.15, -8.0),
    2: (9, -2.5, 0.10, -6.0),
    3: (15, -1.0, 0.05, -4.0),
}
AGENTS = [f"A-{loc}-{no}" for loc in LOCATIONS for no in range(1, AGENTS_PER_LOCATION + 1)]  # code = loc * 5 + no - 1
COACHING_COST = 21000.0
COMPLAINT_RATE_BASE = 0.12  # complaints per ticket before coaching
COMPLAINTS_METRIC = "complaints_per_100_tickets"

# Planted effect 4: none. A wellbeing check-in programme at six teams from NULL_INITIATIVE_MONTH that changes
# nothing; its teams are chosen so EMP-TRAIN-1 (which lifts survey scores at Leeds, Bristol and Norwich,
# where all HQ teams sit) reaches about the same share of its teams (4 of 6) as of the other teams (5 of 7).
NULL_INITIATIVE_ID = "EMP-WELL-3"
NULL_INITIATIVE_TEAMS = ("Sales", "Marketing", "Finance", "IT", "Store Exeter", "Store York")
NULL_INITIATIVE_MONTH = 9
NULL_INITIATIVE_COST = 18000.0

SEGMENTS = ["Consumer", "Small Business", "Enterprise"]
SEGMENT_WEIGHTS = np.array([0.62, 0.28, 0.10])
SEGMENT_ORDER_VALUE = np.array([1.0, 2.5, 6.0])
ACQUISITION_CHANNELS = ["web", "store", "phone", "partner"]
SALES_CHANNELS = ["web", "store", "phone"]
TICKET_CHANNELS = ["email", "chat", "phone", "social"]
TICKET_CHANNEL_WEIGHTS = np.array([0.42, 0.33, 0.20, 0.05])
# Median first-reply minutes by ticket channel: chat is fast, email slow.
FIRST_REPLY_MEDIAN_MIN = np.array([240.0, 3.0, 1.0, 180.0])
TICKET_CATEGORIES = ["billing", "delivery", "product", "returns", "account"]
TOUCHPOINTS = ["store", "web", "delivery"]
REVIEW_PLATFORMS = ["Google", "Trustpilot", "Facebook"]
MENTION_PLATFORMS = ["X", "Instagram", "Facebook", "Reddit"]

HQ_TEAMS = ["Customer Support", "Sales", "Marketing", "Finance", "IT", "People"]
STORE_TEAMS = [f"Store {loc}" for loc in LOCATIONS]
TEAMS = HQ_TEAMS + STORE_TEAMS
TEAM_LOCATION = {**{t: "Leeds" for t in HQ_TEAMS}, **{f"Store {loc}": loc for loc in LOCATIONS}}
REQUEST_TEAMS = ["IT", "People", "Payroll", "Facilities"]
ABSENCE_REASONS = ["illness", "vacation", "childcare", "family", "injury", "civic", "other"]
ABSENCE_REASON_WEIGHTS = np.array([0.38, 0.40, 0.07, 0.06, 0.03, 0.02, 0.04])

# (question_id, dimension, text, scale_min, scale_max, favourable_min, reverse_scored)
QUESTIONS = [
    ("enps", "enps", "How likely are you to recommend this company as a place to work?", 0, 10, 9, False),
    ("eng_proud", "engagement", "I am proud to work for this company.", 1, 5, 4, False),
    ("eng_motivated", "engagement", "My work motivates me to go beyond what is expected.", 1, 5, 4, False),
    ("eng_stay", "engagement", "I see myself still working here in two years.", 1, 5, 4, False),
    ("wb_balance", "wellbeing", "I can balance my work and my personal life.", 1, 5, 4, False),
    ("wb_energy", "wellbeing", "I have enough energy for my work most days.", 1, 5, 4, False),
    ("mgr_listening", "manager_empathy", "My manager listens actively when I raise something.", 1, 5, 4, False),
    ("mgr_open", "manager_empathy", "My manager communicates openly with the team.", 1, 5, 4, False),
    ("mgr_needs", "manager_empathy", "My manager responds to my needs.", 1, 5, 4, False),
    ("mgr_recognition", "manager_empathy", "My manager recognises and appreciates my work.", 1, 5, 4, False),
    ("mgr_feedback", "manager_empathy", "My manager gives me constructive feedback.", 1, 5, 4, False),
    ("presenteeism", "presenteeism", "In the last month I worked while unwell.", 1, 5, 4, True),
]

POSITIVE = [
    "The staff listened and really understood what I needed.",
    "So caring and personal, they remembered my name.",
    "Quick, friendly help and a great product.",
    "The agent was patient and explained everything clearly.",
    "Lovely store, helpful people, fair prices.",
    "They went out of their way to sort it out.",
]
NEUTRAL = [
    "It was fine, nothing special.",
    "Delivery took a bit long but the product is ok.",
    "Average experience, prices are reasonable.",
    "Got what I needed eventually.",
]
NEGATIVE = [
    "The agent was rude and rushed me off the phone.",
    "I felt ignored, waited forever and nobody called back.",
    "Impersonal service, copy-paste answers that did not help.",
    "Product broke after a week and the refund is still missing.",
    "Too expensive for the quality, and staff did not care.",
    "Long queue at the till and only one checkout open.",
]
TICKET_TEXT = {
    "billing": "I was charged twice for my last order, please refund.",
    "delivery": "My parcel has not arrived and tracking has not moved.",
    "product": "The item stopped working after a few days.",
    "returns": "How do I return an item bought in store?",
    "account": "I cannot log in to my account.",
}
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Mohammed",
    "Olivia",
    "Liam",
    "Chen",
    "Fatima",
    "Noah",
    "Ava",
    "Lucas",
    "Zoe",
    "Ivan",
    "Maya",
    "Omar",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Patel",
    "Khan",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Wright",
    "Walker",
    "Green",
    "Hughes",
    "Clarke",
    "Lewis",
]
