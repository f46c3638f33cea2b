import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy';

describe('password policy (NIST SP 800-63B)', () => {
  it('asks for at least 12 characters, counted as people count them, and no more than 256', () => {
    expect(passwordProblem('short pass1')).toBe('TOO_SHORT');
    expect(passwordProblem('ünïcödé wörd')).toBeNull();
    expect(passwordProblem('e\u0301'.repeat(6) + 'x')).toBe('TOO_SHORT');
    expect(passwordProblem('x'.repeat(257))).toBe('TOO_LONG');
  });

  it('refuses passwords from the shipped list of common and breached passwords, also with digits or symbols added', () => {
    expect(passwordProblem('qwertyuiop123')).toBe('COMMON');
    expect(passwordProblem('1q2w3e4r5t6y')).toBe('COMMON');
    expect(passwordProblem('QwErTy123456')).toBe('COMMON');
    expect(passwordProblem('sunshine2024!!')).toBe('COMMON');
    expect(passwordProblem('!!password123456')).toBe('COMMON');
  });

  it('refuses the user\'s own name and address, and the registry\'s name', () => {
    expect(passwordProblem('brunner-lukas-42', { name: 'Lukas Brunner', email: 'l.b@example.test' })).toBe('CONTEXT');
    expect(passwordProblem('my anna.keller pass', { email: 'anna.keller@example.test' })).toBe('CONTEXT');
    expect(passwordProblem('article6 is great', {})).toBe('CONTEXT');
  });

  it('refuses repetition, and imposes no composition rules', () => {
    expect(passwordProblem('abababababababab')).toBe('REPETITIVE');
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('lowercase words only here')).toBeNull();
  });
});
