/** `jane.doe@example.com` → `j***@example.com`: the domain stays useful, the person does not. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskGeneric(value);
  return `${value[0]}***${value.slice(at)}`;
}

/** `+33 6 12 34 56 78` → `+** * ** ** ** 78`: shape and the last two digits stay for recognition. */
export function maskPhone(value: string): string {
  const digits = [...value].filter((c) => c >= '0' && c <= '9').length;
  let seen = 0;
  return [...value]
    .map((c) => {
      if (c < '0' || c > '9') return c;
      seen += 1;
      return seen > digits - 2 ? c : '*';
    })
    .join('');
}

/** `Alice` → `A***`. */
export function maskGeneric(value: string): string {
  return value.length === 0 ? '' : `${value[0]}***`;
}
