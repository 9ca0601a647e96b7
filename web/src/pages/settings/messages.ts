/** The settings page's words. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: {
    title: 'Settings',
    description: 'Options that apply to the whole gateway, changed at run time (root only).',
    accounts: {
      title: 'New accounts',
      registration: 'Open registration',
      registrationHint:
        'Anyone who can reach this UI may make their own account from the login page. New accounts are plain users in the default group.',
      registrationOff: 'Off: only administrators make accounts (Users page).',
      newUserQuota: 'Balance for new users',
      newUserQuotaHint:
        'What a self-registered account starts with, and an account an administrator makes without setting a balance. $0 means they must redeem a code or be topped up before using any priced model.',
      invalid: 'Zero or more',
    },
    saved: 'Settings saved',
  },
  zh: {
    title: '系统设置',
    description: '对整个网关生效的运行时选项（仅 root 可修改）。',
    accounts: {
      title: '新账号',
      registration: '开放注册',
      registrationHint: '任何能访问此界面的人都可以在登录页自行注册账号。新账号为默认分组中的普通用户。',
      registrationOff: '关闭时：只有管理员能创建账号（用户管理页）。',
      newUserQuota: '新用户初始额度',
      newUserQuotaHint:
        '自行注册的账号，以及管理员创建时未设置余额的账号，初始获得的余额。设为 $0 表示必须兑换兑换码或由管理员充值后才能使用计费模型。',
      invalid: '须大于等于 0',
    },
    saved: '设置已保存',
  },
});
