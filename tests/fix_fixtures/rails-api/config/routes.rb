Rails.application.routes.draw do
  resources :entries, only: %i[index create]
  # Anything else is answered by the app's own 404 page.
  match "*path", to: "application#not_found", via: :all
end
