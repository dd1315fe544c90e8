"""Word lists for the fictional territory. Every place and person here is invented."""

TERRITORIES = [
    "Vallée-des-Saules", "Rivière-aux-Hérons", "Baie-Sainte-Claire", "Mont-Bleuet",
    "Pointe-aux-Pins", "Lac-Argenté", "Saint-Élie-des-Prés", "Havre-Clair", "Westbrook",
    "Maple Ridge", "Grand-Portage-du-Nord", "Sainte-Rosalie-des-Monts", "Port-Cormier",
    "Cap-aux-Brumes", "Notre-Dame-des-Érables", "Saint-Anselme-du-Lac", "Beauséjour",
    "Val-des-Loutres", "Pine Hollow", "L'Anse-Verte", "Saint-Clément-des-Sables",
    "Rivière-Noire", "Lac-Mirabel", "Fort-Tamarack", "Sainte-Agathe-des-Vents",
]

STREETS = [
    "rue Principale", "boulevard des Érables", "rue Saint-Jean", "chemin du Lac",
    "avenue des Pins", "rue Notre-Dame", "Main Street", "rue de l'Église", "boulevard Laurier",
    "rue des Ormes", "Maple Avenue", "chemin de la Rivière", "rue Sainte-Anne",
]

FIRST_NAMES = [
    "Marie", "Julie", "Isabelle", "Nathalie", "Geneviève", "Catherine", "Émilie", "Sophie",
    "Mélanie", "Audrey", "Valérie", "Annie", "Chloé", "Léa", "Camille", "Maude", "Karine",
    "Josée", "Andrée-Anne", "Marie-Ève", "Stéphanie", "Amélie", "Noémie", "Roxanne",
    "Jean", "Luc", "François", "Mathieu", "Olivier", "Simon", "Éric", "Philippe", "Samuel",
    "Alexandre", "Guillaume", "Maxime", "Benoît", "Hugo", "Félix", "Étienne",
    "Sarah", "Emily", "Jessica", "Rebecca", "Laura", "Hannah", "Megan", "Rachel",
    "Michael", "David", "Daniel", "James", "Ryan", "Kevin", "Andrew",
    "Fatima", "Amina", "Yasmine", "Karim", "Youssef", "Nadia", "Ines", "Mamadou", "Aïcha",
    "Widlyne", "Jean-Robert", "Nathalia", "Diego", "Lucia", "Thi", "Minh", "Wei",
    "Nahanni", "Tanya", "Kaniehtiio", "Sila",
]

LAST_NAMES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
    "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc",
    "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé",
    "Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Thériault", "Nadeau",
    "Desjardins", "Hébert", "Bédard", "Mercier", "Grenier", "Saint-Pierre", "Béliveau",
    "Smith", "Brown", "Wilson", "Campbell", "Stewart", "Murphy", "O'Connor", "MacDonald",
    "Haddad", "Benali", "Diallo", "Traoré", "Joseph", "Pierre-Louis", "Nguyen", "Tran",
    "Chen", "Garcia", "Rodriguez", "Kanatewat", "Awashish", "Petiquay",
]

FLOWERS = [
    "Les Petits Bourgeons", "La Coccinelle", "Les Lucioles", "Le Petit Nid", "Les Hirondelles",
    "Le Jardin d'Éveil", "Les Papillons", "La Ribambelle", "Les Mésanges", "Sunflower",
]
