/** Logging in, registering and changing a password. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: {
    login: {
      title: 'Log in to Switchyard',
      subtitle: 'The gateway in front of every model your team uses.',
      username: 'Username',
      password: 'Password',
      submit: 'Log in',
      firstStart:
        'First start? Log in as root with the password printed once to the gateway’s log (or SWITCHYARD_ADMIN_PASSWORD).',
      noAccount: 'No account yet?',
      register: 'Register',
    },
    register: {
      title: 'Make an account',
      submit: 'Register',
      haveAccount: 'Already have an account?',
      login: 'Log in',
      usernameHint: '3 to 64 letters, digits, _ . @ -',
    },
    password: {
      title: 'Choose a new password',
      forced: 'This account’s password was generated or set by an administrator: choose your own before going on.',
      current: 'Current password',
      next: 'New password',
      repeat: 'New password again',
      submit: 'Change password',
      tooShort: 'At least 8 characters',
      mismatch: 'The passwords differ',
      changed: 'Password changed',
    },
  },
  zh: {
    login: {
      title: '登录 Switchyard',
      subtitle: '团队所有模型前的统一网关。',
      username: '用户名',
      password: '密码',
      submit: '登录',
      firstStart: '首次启动？请以 root 登录，密码已在网关日志中打印一次（或使用 SWITCHYARD_ADMIN_PASSWORD）。',
      noAccount: '还没有账号？',
      register: '注册',
    },
    register: {
      title: '创建账号',
      submit: '注册',
      haveAccount: '已有账号？',
      login: '登录',
      usernameHint: '3 到 64 个字母、数字或 _ . @ -',
    },
    password: {
      title: '设置新密码',
      forced: '此账号的密码由系统生成或由管理员设置：请先设置您自己的密码。',
      current: '当前密码',
      next: '新密码',
      repeat: '再次输入新密码',
      submit: '修改密码',
      tooShort: '至少 8 个字符',
      mismatch: '两次输入的密码不一致',
      changed: '密码已修改',
    },
  },
});
