/**
 * Fixed reference lists the synthetic hospitals draw from. Payors and CPT codes are mirrored by
 * seeds under `seeds/` (a unit test keeps them in step). All names and descriptions are invented
 * or generic; no real person is represented.
 */

export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David',
  'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah',
  'Charles', 'Karen', 'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Betty', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Paul', 'Donna', 'Joshua',
  'Michelle', 'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'Maria', 'Wei', 'Aisha',
  'Carlos', 'Priya', 'Omar',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
  'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore',
  'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark',
  'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres',
  'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell',
  "O'Brien", 'Patel', 'Kim',
] as const;

export const STREETS = [
  'Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Pine St', 'Elm St', 'Lakeview Rd', 'Hillside Ave',
  'Park Blvd', 'River Rd', 'Sunset Dr', 'Washington St',
] as const;

export const CITIES = [
  ['Springfield', 'IL', '62701'], ['Riverton', 'WY', '82501'], ['Fairview', 'TN', '37062'],
  ['Madison', 'WI', '53703'], ['Georgetown', 'TX', '78626'], ['Salem', 'OR', '97301'],
  ['Franklin', 'MA', '02038'], ['Clinton', 'IA', '52732'],
] as const;

/** Departments, identical codes in both hospitals (DeptID `DEPT01`…). */
export const DEPARTMENTS = [
  'Cardiology', 'Emergency Medicine', 'Family Medicine', 'Internal Medicine', 'Neurology',
  'Obstetrics and Gynecology', 'Oncology', 'Orthopedics', 'Pediatrics', 'Radiology',
] as const;

/** Specialization per department index (providers get their department's specialisation). */
export const SPECIALIZATIONS = [
  'Cardiologist', 'Emergency Physician', 'Family Physician', 'Internist', 'Neurologist',
  'Obstetrician', 'Oncologist', 'Orthopedic Surgeon', 'Pediatrician', 'Radiologist',
] as const;

/** NUCC taxonomy codes matching SPECIALIZATIONS (for the NPPES-shaped records). */
export const TAXONOMIES = [
  '207RC0000X', '207P00000X', '207Q00000X', '207R00000X', '2084N0400X', '207V00000X',
  '207RX0202X', '207X00000X', '208000000X', '2085R0202X',
] as const;

export type PayorType = 'Commercial' | 'Medicare' | 'Medicaid' | 'Self-Pay';

/** Payors: id, name, type, share of volume, denial propensity. Mirrored by seeds/payors.csv. */
export const PAYORS: readonly {
  readonly id: string;
  readonly name: string;
  readonly type: PayorType;
  readonly weight: number;
  readonly denial: number;
}[] = [
  { id: 'PAY01', name: 'BlueShield Commercial', type: 'Commercial', weight: 22, denial: 0.08 },
  { id: 'PAY02', name: 'United Health Plans', type: 'Commercial', weight: 18, denial: 0.11 },
  { id: 'PAY03', name: 'Aetna Choice', type: 'Commercial', weight: 12, denial: 0.09 },
  { id: 'PAY04', name: 'Cigna Open Access', type: 'Commercial', weight: 8, denial: 0.13 },
  { id: 'PAY05', name: 'Medicare Part B', type: 'Medicare', weight: 20, denial: 0.05 },
  { id: 'PAY06', name: 'Medicare Advantage', type: 'Medicare', weight: 6, denial: 0.1 },
  { id: 'PAY07', name: 'State Medicaid', type: 'Medicaid', weight: 10, denial: 0.15 },
  { id: 'PAY08', name: 'Self Pay', type: 'Self-Pay', weight: 4, denial: 0.02 },
];

export const VISIT_TYPES = ['Outpatient', 'Inpatient', 'Emergency', 'Telehealth'] as const;

/** Numeric CPT (category I) codes with a category and a plain-language description. */
export const CPT_CODES: readonly (readonly [category: string, code: number, description: string])[] = [
  ['Evaluation and Management', 99202, 'New patient office visit, straightforward'],
  ['Evaluation and Management', 99203, 'New patient office visit, low complexity'],
  ['Evaluation and Management', 99204, 'New patient office visit, moderate complexity'],
  ['Evaluation and Management', 99205, 'New patient office visit, high complexity'],
  ['Evaluation and Management', 99211, 'Established patient office visit, minimal'],
  ['Evaluation and Management', 99212, 'Established patient office visit, straightforward'],
  ['Evaluation and Management', 99213, 'Established patient office visit, low complexity'],
  ['Evaluation and Management', 99214, 'Established patient office visit, moderate complexity'],
  ['Evaluation and Management', 99215, 'Established patient office visit, high complexity'],
  ['Evaluation and Management', 99221, 'Initial hospital inpatient care, low'],
  ['Evaluation and Management', 99222, 'Initial hospital inpatient care, moderate'],
  ['Evaluation and Management', 99223, 'Initial hospital inpatient care, high'],
  ['Evaluation and Management', 99231, 'Subsequent hospital inpatient care, low'],
  ['Evaluation and Management', 99232, 'Subsequent hospital inpatient care, moderate'],
  ['Evaluation and Management', 99238, 'Hospital discharge day management'],
  ['Evaluation and Management', 99283, 'Emergency department visit, low complexity'],
  ['Evaluation and Management', 99284, 'Emergency department visit, moderate complexity'],
  ['Evaluation and Management', 99285, 'Emergency department visit, high complexity'],
  ['Evaluation and Management', 99441, 'Telephone evaluation, 5-10 minutes'],
  ['Medicine', 93000, 'Electrocardiogram with interpretation and report'],
  ['Medicine', 93306, 'Echocardiography, transthoracic, complete'],
  ['Medicine', 93452, 'Left heart catheterization'],
  ['Medicine', 90471, 'Immunization administration, first injection'],
  ['Medicine', 90686, 'Influenza vaccine, quadrivalent'],
  ['Medicine', 95816, 'Electroencephalogram, awake and drowsy'],
  ['Medicine', 96413, 'Chemotherapy administration, intravenous, first hour'],
  ['Radiology', 70450, 'CT head or brain without contrast'],
  ['Radiology', 70553, 'MRI brain with and without contrast'],
  ['Radiology', 71046, 'Chest X-ray, two views'],
  ['Radiology', 72148, 'MRI lumbar spine without contrast'],
  ['Radiology', 74177, 'CT abdomen and pelvis with contrast'],
  ['Radiology', 76805, 'Obstetric ultrasound, complete'],
  ['Radiology', 77067, 'Screening mammography, bilateral'],
  ['Pathology and Laboratory', 80053, 'Comprehensive metabolic panel'],
  ['Pathology and Laboratory', 80061, 'Lipid panel'],
  ['Pathology and Laboratory', 83036, 'Hemoglobin A1c'],
  ['Pathology and Laboratory', 85025, 'Complete blood count with differential'],
  ['Pathology and Laboratory', 87086, 'Urine culture, bacterial, quantitative'],
  ['Surgery', 10060, 'Incision and drainage of abscess, simple'],
  ['Surgery', 12001, 'Simple repair of superficial wound, 2.5 cm or less'],
  ['Surgery', 20610, 'Arthrocentesis, major joint'],
  ['Surgery', 27447, 'Total knee arthroplasty'],
  ['Surgery', 29881, 'Knee arthroscopy with meniscectomy'],
  ['Surgery', 33533, 'Coronary artery bypass, single arterial graft'],
  ['Surgery', 43239, 'Upper GI endoscopy with biopsy'],
  ['Surgery', 45378, 'Diagnostic colonoscopy'],
  ['Surgery', 47562, 'Laparoscopic cholecystectomy'],
  ['Surgery', 59400, 'Routine obstetric care, vaginal delivery'],
  ['Surgery', 62323, 'Lumbar epidural injection with imaging guidance'],
  ['Surgery', 66984, 'Cataract removal with intraocular lens'],
];

/** A procedure code guaranteed absent from CPT_CODES (for invalid-code dirt). */
export const INVALID_CPT_CODES = [11111, 12345, 54321, 99999] as const;

/** ICD-10-CM codes with descriptions. */
export const ICD_CODES: readonly (readonly [code: string, description: string])[] = [
  ['E11.9', 'Type 2 diabetes mellitus without complications'],
  ['E78.5', 'Hyperlipidemia, unspecified'],
  ['I10', 'Essential (primary) hypertension'],
  ['I25.10', 'Atherosclerotic heart disease of native coronary artery'],
  ['I48.91', 'Unspecified atrial fibrillation'],
  ['I50.9', 'Heart failure, unspecified'],
  ['J06.9', 'Acute upper respiratory infection, unspecified'],
  ['J18.9', 'Pneumonia, unspecified organism'],
  ['J44.9', 'Chronic obstructive pulmonary disease, unspecified'],
  ['J45.909', 'Unspecified asthma, uncomplicated'],
  ['K21.9', 'Gastro-esophageal reflux disease without esophagitis'],
  ['K80.20', 'Calculus of gallbladder without obstruction'],
  ['M17.11', 'Unilateral primary osteoarthritis, right knee'],
  ['M54.5', 'Low back pain'],
  ['M79.1', 'Myalgia'],
  ['N39.0', 'Urinary tract infection, site not specified'],
  ['O80', 'Encounter for full-term uncomplicated delivery'],
  ['R07.9', 'Chest pain, unspecified'],
  ['R51', 'Headache'],
  ['R10.9', 'Unspecified abdominal pain'],
  ['S83.241A', 'Other tear of medial meniscus, right knee, initial encounter'],
  ['C50.911', 'Malignant neoplasm of unspecified site of right female breast'],
  ['C34.90', 'Malignant neoplasm of unspecified part of unspecified bronchus or lung'],
  ['G40.909', 'Epilepsy, unspecified, not intractable'],
  ['G43.909', 'Migraine, unspecified, not intractable'],
  ['F32.9', 'Major depressive disorder, single episode, unspecified'],
  ['Z00.00', 'Encounter for general adult medical examination without abnormal findings'],
  ['Z23', 'Encounter for immunization'],
  ['Z34.90', 'Encounter for supervision of normal pregnancy, unspecified'],
  ['H25.9', 'Unspecified age-related cataract'],
];

/** ICD codes guaranteed absent from ICD_CODES (for invalid-code dirt). */
export const INVALID_ICD_CODES = ['ZZZ.99', 'X00.000', 'Q99.XX'] as const;
