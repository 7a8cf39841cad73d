/**
 * Completed years of age on a day, in UTC (birth dates are stored as UTC midnights). The one age
 * rule: registration's minimum age, the minors rule of decisions and age bands all use it.
 */
export function ageOn(birthDate: Date, day: Date): number {
  const years = day.getUTCFullYear() - birthDate.getUTCFullYear();
  const month = day.getUTCMonth() - birthDate.getUTCMonth();
  const beforeBirthday = month < 0 || (month === 0 && day.getUTCDate() < birthDate.getUTCDate());
  return beforeBirthday ? years - 1 : years;
}
