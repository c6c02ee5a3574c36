import { resolveGrade, toCedsGrade } from '../../server/sync/grades';

describe('grades', () => {
  it('reads the common vocabularies as CEDS codes', () => {
    const cases: Array<[string, string]> = [
      ['Kindergarten', 'KG'], ['K', 'KG'], ['0', 'KG'], ['kg', 'KG'], ['First grade', '01'], ['Twelfth grade', '12'], ['1', '01'],
      ['07', '07'], ['Grade 3', '03'], ['-1', 'PK'], ['Preschool/Prekindergarten', 'PK'], ['Pre-K', 'PK'], ['Ungraded', 'UG'],
      ['Infant/toddler', 'IT'], ['Transitional Kindergarten', 'TK'], ['Postsecondary', 'PS'], ['13', '13'], ['Other', 'Other'],
    ];
    for (const [value, code] of cases) expect([value, toCedsGrade(value)]).toEqual([value, code]);
    expect(toCedsGrade('Grade Zed')).toBeNull();
    expect(toCedsGrade('14')).toBeNull();
  });

  it('applies the matrix to the value as sent or to its code, and keeps an unknown value as sent', () => {
    const matrix = new Map([['KG', 'Kinder'], ['First grade', 'Gr 1']]);
    expect(resolveGrade('Kindergarten', matrix)).toEqual({ grade: 'Kinder', unmapped: null });
    expect(resolveGrade('First grade', matrix)).toEqual({ grade: 'Gr 1', unmapped: null });
    expect(resolveGrade('1', matrix)).toEqual({ grade: '01', unmapped: null });
    expect(resolveGrade('Year Z', matrix)).toEqual({ grade: 'Year Z', unmapped: 'Year Z' });
    expect(resolveGrade('An ungraded special programme', matrix)).toEqual({ grade: null, unmapped: 'An ungraded special programme' });
    expect(resolveGrade(null, matrix)).toEqual({ grade: null, unmapped: null });
  });
});
