package sandbox

// Word lists the seeder draws the demo organisation from.

// firstNames are the given names of people.
var firstNames = []string{
	"Aaliyah", "Aarav", "Abigail", "Adrian", "Aisha", "Alejandro", "Alice", "Amara", "Ana", "Andre",
	"Arjun", "Beatriz", "Benjamin", "Camila", "Carlos", "Charlotte", "Chen", "Chloe", "Daniel", "Deepa",
	"Diego", "Elena", "Elijah", "Emma", "Ethan", "Fatima", "Felix", "Gabriel", "Grace", "Hana",
	"Hannah", "Hiroshi", "Ibrahim", "Isabella", "Ivan", "Jamal", "James", "Jasmine", "Javier", "Ji-woo",
	"Julia", "Kai", "Kamala", "Kenji", "Laila", "Leo", "Lucas", "Lucia", "Maya", "Mateo",
	"Mei", "Mohammed", "Nadia", "Naomi", "Noah", "Olivia", "Omar", "Priya", "Rafael", "Ravi",
	"Rosa", "Samuel", "Sana", "Sofia", "Sophie", "Tariq", "Thomas", "Valentina", "Victor", "Wei",
	"Yara", "Yusuf", "Zara", "Zoe", "Oliver", "Amelia", "Henry", "Ingrid", "Kofi", "Lena",
}

// lastNames are the family names of people.
var lastNames = []string{
	"Abbott", "Adeyemi", "Alvarez", "Andersen", "Bakshi", "Bennett", "Bianchi", "Brooks", "Campbell", "Castillo",
	"Chen", "Chowdhury", "Costa", "Dubois", "Edwards", "Eriksson", "Fischer", "Fitzgerald", "Garcia", "Gupta",
	"Hansen", "Harris", "Hernandez", "Hoffmann", "Ibrahim", "Ito", "Jackson", "Jensen", "Kaur", "Kim",
	"Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin", "Mensah", "Miller", "Moreau", "Morales",
	"Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Park", "Patel", "Perez", "Petrov",
	"Quinn", "Ramirez", "Reddy", "Rossi", "Santos", "Schmidt", "Sato", "Shah", "Silva", "Singh",
	"Smith", "Sullivan", "Suzuki", "Tanaka", "Taylor", "Thompson", "Torres", "Turner", "Varga", "Wagner",
	"Walker", "Wang", "Watanabe", "Weber", "Williams", "Wilson", "Wright", "Yamamoto", "Young", "Zhang",
}

// nicknames are preferred names some people use.
var nicknames = []string{"Alex", "Sam", "Jo", "Max", "Kit", "Bea", "Nico", "Teddy", "Rae", "Jules"}

// locations are the offices people work from.
var locations = []string{"San Francisco, California", "New York, New York", "Austin, Texas", "Chicago, Illinois", "Remote"}

// otherLocales are the locales of people who do not use "en".
var otherLocales = []string{"en_GB", "de", "fr_FR", "es", "ja", "pt_BR", "nl", "it"}

// abouts are the "about" texts of profiles.
var abouts = []string{
	"", "", "Loves hiking and bad puns.", "Coffee first, then code.", "Ask me about our roadmap.",
	"Former teacher, lifelong learner.", "Marathon runner and home cook.", "Here to help customers win.",
}

// departmentSeed describes one seeded department: its name, its parent's
// name, its active headcount and the titles of its head, managers and
// individual contributors.
type departmentSeed struct {
	name, parent    string
	size            int
	head, manager   string
	ics             []string
	goals           []string
	active          bool
	keyResultsUnits []string
}

// departmentSeeds is the department tree, in id order.
var departmentSeeds = []departmentSeed{
	{name: "Executive", size: 4, head: "Chief Executive Officer", manager: "Chief of Staff", ics: []string{"Executive Assistant", "Strategy Analyst"}, active: true,
		goals: []string{"Grow annual recurring revenue", "Become the most trusted brand in our category", "Build a world-class team", "Expand into two new markets", "Reach operating profitability"}},
	{name: "Engineering", size: 12, head: "VP of Engineering", manager: "Director of Engineering", ics: []string{"Principal Engineer", "Technical Program Manager"}, active: true,
		goals: []string{"Ship the platform roadmap on time", "Raise engineering quality bar", "Improve developer productivity"}, keyResultsUnits: []string{"Releases", "Percent"}},
	{name: "Platform", parent: "Engineering", size: 42, head: "Director of Platform Engineering", manager: "Engineering Manager", ics: []string{"Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "Staff Engineer"}, active: true,
		goals: []string{"Reduce p95 API latency", "Migrate services to Kubernetes", "Improve test coverage", "Cut cloud spend", "Harden production security", "Automate release pipeline"}, keyResultsUnits: []string{"ms", "Percent", "Services", "USD"}},
	{name: "Mobile", parent: "Engineering", size: 30, head: "Director of Mobile", manager: "Mobile Engineering Manager", ics: []string{"iOS Engineer", "Android Engineer", "Senior Mobile Engineer"}, active: true,
		goals: []string{"Ship mobile app v5", "Improve app store rating", "Reduce crash rate", "Launch offline mode"}, keyResultsUnits: []string{"Stars", "Percent", "Crashes"}},
	{name: "Data", parent: "Engineering", size: 26, head: "Director of Data", manager: "Data Engineering Manager", ics: []string{"Data Engineer", "Data Scientist", "Analytics Engineer"}, active: true,
		goals: []string{"Launch the customer health score", "Modernise the data warehouse", "Improve forecast accuracy"}, keyResultsUnits: []string{"Dashboards", "Percent", "Models"}},
	{name: "Sales", size: 30, head: "VP of Sales", manager: "Sales Manager", ics: []string{"Account Executive", "Sales Development Representative", "Solutions Engineer"}, active: true,
		goals: []string{"Close new enterprise deals", "Grow pipeline coverage", "Increase win rate", "Expand existing accounts"}, keyResultsUnits: []string{"Deals", "USD", "Meetings", "Percent"}},
	{name: "Sales EMEA", parent: "Sales", size: 26, head: "Director of Sales EMEA", manager: "Regional Sales Manager", ics: []string{"Account Executive", "Business Development Representative"}, active: true,
		goals: []string{"Open the DACH market", "Grow EMEA bookings", "Build EMEA partner channel"}, keyResultsUnits: []string{"Deals", "EUR", "Partners"}},
	{name: "Marketing", size: 26, head: "VP of Marketing", manager: "Marketing Manager", ics: []string{"Content Marketer", "Product Marketing Manager", "Growth Marketer", "Designer"}, active: true,
		goals: []string{"Generate qualified leads", "Launch the brand refresh", "Grow organic traffic", "Run the annual user conference"}, keyResultsUnits: []string{"Leads", "Visits", "Attendees", "Percent"}},
	{name: "People", size: 15, head: "VP of People", manager: "People Partner Lead", ics: []string{"People Partner", "Recruiter", "People Operations Specialist"}, active: true,
		goals: []string{"Hire to plan", "Raise employee engagement", "Roll out the new career framework"}, keyResultsUnits: []string{"Hires", "Percent", "Points"}},
	{name: "Finance", size: 15, head: "Chief Financial Officer", manager: "Controller", ics: []string{"Financial Analyst", "Accountant", "Procurement Specialist"}, active: true,
		goals: []string{"Close the books in five days", "Improve cash forecasting", "Pass the SOC 1 audit"}, keyResultsUnits: []string{"Days", "Percent", "Findings"}},
	{name: "Customer Success", size: 56, head: "VP of Customer Success", manager: "Customer Success Manager Lead", ics: []string{"Customer Success Manager", "Support Engineer", "Implementation Consultant", "Support Specialist"}, active: true,
		goals: []string{"Raise net revenue retention", "Cut first response time", "Improve CSAT", "Reduce churn", "Onboard customers faster"}, keyResultsUnits: []string{"Percent", "Minutes", "Tickets", "NPS"}},
	{name: "Legal", size: 8, head: "General Counsel", manager: "Senior Counsel", ics: []string{"Counsel", "Paralegal"}, active: true,
		goals: []string{"Standardise contract templates", "Complete privacy review"}, keyResultsUnits: []string{"Contracts", "Percent"}},
	{name: "Special Projects", size: 0, active: true},
	{name: "Facilities", size: 0, active: false},
}

// keyResultVerbs start the names of metric key results.
var keyResultVerbs = []string{"Reach", "Deliver", "Hit", "Achieve", "Get to"}

// binaryKeyResults are the names of binary key results.
var binaryKeyResults = []string{
	"Publish the plan", "Run the kickoff workshop", "Sign off the design", "Launch to all customers",
	"Complete the pilot", "Document the runbook", "Hold the quarterly review", "Hire the team lead",
}

// commentTexts are the texts of goal comments and assessments.
var commentTexts = []string{
	"Great progress this week!", "Blocked on the vendor contract, following up.", "Can we align this with the Q3 plan?",
	"Nice work, team.", "Updated the numbers from the latest report.", "Let's discuss in our next 1:1.",
	"This is slipping, I'd like a recovery plan.", "Ahead of schedule thanks to the new tooling.",
	"Adding a dependency on the platform team.", "Customer feedback has been very positive.",
}

// categoryNames are the goal categories.
var categoryNames = []string{"Revenue", "Customer", "Product", "People", "Operations", "Innovation", "Quality", "Compliance"}

// hashtagNames are the recognition hashtags.
var hashtagNames = []string{
	"teamwork", "ownership", "customerfirst", "innovation", "kudos", "shipit", "mentorship", "bias4action",
	"learning", "inclusion", "quality", "hustle", "gratitude", "leadership", "collaboration", "craft",
	"resilience", "transparency", "onboarding", "winning",
}

// shoutoutTexts are the texts of shout-outs.
var shoutoutTexts = []string{
	"Thank you for jumping in on the incident last night!", "Amazing demo at the all-hands.",
	"You made onboarding our new customer painless.", "Huge thanks for mentoring the new hires.",
	"That launch went flawlessly, well done.", "Your analysis changed our roadmap for the better.",
}

// teamNames are the teams.
var teamNames = []string{
	"Project Atlas", "Launch Squad", "Data Guild", "Pricing Council", "Customer Advisory Crew",
	"Security Champions", "Mobile Tiger Team", "Onboarding Revamp", "Inclusion Council", "Hackathon 2023",
}

// textAnswers answer text questions of conversations and feedback.
var textAnswers = []string{
	"Delivered the migration ahead of plan and mentored two new engineers.",
	"I want to focus on cross-team communication next quarter.",
	"Strong quarter overall; the customer escalations took more time than expected.",
	"Would like more ownership of the roadmap.",
	"Consistently raises the bar for the team.",
}
