import { describe, expect, it } from 'vitest';
import {
  broadcastKey,
  canChat,
  canPost,
  chatRoles,
  directKey,
  isUnread,
  nextReadMark,
  normalizeBody,
  normalizeGroupName,
  visibleTo,
} from './model.js';

describe('chat model', () => {
  it('gives a pair one direct key whoever opens it', () => {
    expect(directKey(7, 3)).toBe(directKey(3, 7));
    expect(directKey(3, 7)).toBe('direct:3:7');
    expect(broadcastKey('operator')).toBe('broadcast:operator');
  });

  it('lets every role but the observer chat', () => {
    expect(chatRoles()).toEqual(['operator', 'second_line', 'supervisor', 'administrator']);
    expect(canChat('observer')).toBe(false);
  });

  it('lets readers of a broadcast read but not write', () => {
    expect(canPost('owner')).toBe(true);
    expect(canPost('member')).toBe(true);
    expect(canPost('reader')).toBe(false);
  });

  it('counts as unread only newer messages by others', () => {
    const reader = { userId: 1, lastReadMessageId: 10 };
    expect(isUnread({ id: 11, authorId: 2 }, reader)).toBe(true);
    expect(isUnread({ id: 11, authorId: 1 }, reader)).toBe(false);
    expect(isUnread({ id: 10, authorId: 2 }, reader)).toBe(false);
    expect(isUnread({ id: 12, authorId: null }, reader)).toBe(true);
  });

  it('moves the read mark forward only, never past the newest message', () => {
    expect(nextReadMark(5, 9, 20)).toBe(9);
    expect(nextReadMark(9, 5, 20)).toBe(9);
    expect(nextReadMark(5, 1000, 20)).toBe(20);
  });

  it('keeps the text as typed, without blank edges, and refuses blank messages', () => {
    expect(normalizeBody('\n\nСәлем!\r\nКалайсыз?  \n')).toBe('Сәлем!\nКалайсыз?');
    expect(normalizeBody('  indented')).toBe('  indented');
    expect(normalizeBody(' \n\t ')).toBeNull();
    expect(normalizeGroupName('  Смена   А ')).toBe('Смена А');
    expect(normalizeGroupName('   ')).toBeNull();
  });

  it('shows staff notes to staff participants', () => {
    expect(visibleTo('member', 'staff-note')).toBe(true);
    expect(visibleTo('reader', 'all')).toBe(true);
  });
});
