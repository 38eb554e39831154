/**
 * The EMR source schemas (DESIGN.md §4) as SQLite DDL. SQLite has no schemas, so the tables carry
 * their plain names; the ingest config's `dbo.` prefix maps onto them. No primary keys: real
 * feeds contain duplicate rows, and the generator injects some on purpose.
 */

/** Column lists in source order, per table; hospital B's patients use its own names. */
export const EMR_COLUMNS = {
  departments: ['DeptID', 'Name'],
  providers: ['ProviderID', 'FirstName', 'LastName', 'Specialization', 'DeptID', 'NPI'],
  patientsA: [
    'PatientID',
    'FirstName',
    'LastName',
    'MiddleName',
    'SSN',
    'PhoneNumber',
    'Gender',
    'DOB',
    'Address',
    'ModifiedDate',
  ],
  patientsB: [
    'ID',
    'F_Name',
    'L_Name',
    'M_Name',
    'SSN',
    'PhoneNumber',
    'Gender',
    'DOB',
    'Address',
    'Updated_Date',
  ],
  encounters: [
    'EncounterID',
    'PatientID',
    'EncounterDate',
    'EncounterType',
    'ProviderID',
    'DepartmentID',
    'ProcedureCode',
    'InsertedDate',
    'ModifiedDate',
  ],
  transactions: [
    'TransactionID',
    'EncounterID',
    'PatientID',
    'ProviderID',
    'DeptID',
    'VisitDate',
    'ServiceDate',
    'PaidDate',
    'VisitType',
    'Amount',
    'AmountType',
    'PaidAmount',
    'ClaimID',
    'PayorID',
    'ProcedureCode',
    'ICDCode',
    'LineOfBusiness',
    'MedicaidID',
    'MedicareID',
    'InsertDate',
    'ModifiedDate',
  ],
} as const;

/** DDL for one hospital's database (hospital index 0 = A, 1 = B). */
export function emrDdl(hospital: 0 | 1): readonly string[] {
  const patients =
    hospital === 0
      ? `CREATE TABLE patients (PatientID TEXT, FirstName TEXT, LastName TEXT, MiddleName TEXT,
  SSN TEXT, PhoneNumber TEXT, Gender TEXT, DOB DATE, Address TEXT, ModifiedDate DATETIME)`
      : `CREATE TABLE patients (ID TEXT, F_Name TEXT, L_Name TEXT, M_Name TEXT, SSN TEXT,
  PhoneNumber TEXT, Gender TEXT, DOB DATE, Address TEXT, Updated_Date DATETIME)`;
  return [
    'CREATE TABLE departments (DeptID TEXT, Name TEXT)',
    `CREATE TABLE providers (ProviderID TEXT, FirstName TEXT, LastName TEXT, Specialization TEXT,
  DeptID TEXT, NPI BIGINT)`,
    patients,
    `CREATE TABLE encounters (EncounterID TEXT, PatientID TEXT, EncounterDate DATE,
  EncounterType TEXT, ProviderID TEXT, DepartmentID TEXT, ProcedureCode INT,
  InsertedDate DATETIME, ModifiedDate DATETIME)`,
    `CREATE TABLE transactions (TransactionID TEXT, EncounterID TEXT, PatientID TEXT,
  ProviderID TEXT, DeptID TEXT, VisitDate DATE, ServiceDate DATE, PaidDate DATE, VisitType TEXT,
  Amount REAL, AmountType TEXT, PaidAmount REAL, ClaimID TEXT, PayorID TEXT, ProcedureCode INT,
  ICDCode TEXT, LineOfBusiness TEXT, MedicaidID TEXT, MedicareID TEXT, InsertDate DATETIME,
  ModifiedDate DATETIME)`,
  ];
}

/** Indexes created after the bulk load (day-N updates look rows up by id). */
export function emrIndexes(hospital: 0 | 1): readonly string[] {
  return [
    `CREATE INDEX ix_patients_id ON patients (${hospital === 0 ? 'PatientID' : 'ID'})`,
    'CREATE INDEX ix_providers_id ON providers (ProviderID)',
    'CREATE INDEX ix_encounters_id ON encounters (EncounterID)',
    'CREATE INDEX ix_transactions_id ON transactions (TransactionID)',
    'CREATE INDEX ix_transactions_enc ON transactions (EncounterID)',
  ];
}

/** `INSERT INTO t (cols) VALUES (?, …)` for a column list. */
export function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}
